# seed 000 "2.2 数据加载案例": a custom Dataset over the SMS Spam Collection file read with pandas
# (the test puts a short file with the same format at the tutorial's path, data\SMSSpamCollection)
from torch.utils.data import Dataset,DataLoader
import pandas as pd
data_path = r"data\SMSSpamCollection"
class CifarDataset(Dataset):
    def __init__(self):
        lines = open(data_path,"r")
        lines = [[i[:4].strip(),i[4:].strip()] for i in lines]
        self.df = pd.DataFrame(lines,columns=["label","sms"])
    def __getitem__(self, index):
        single_item = self.df.iloc[index,:]
        return single_item.values[0],single_item.values[1]
    def __len__(self):
        return self.df.shape[0]
d = CifarDataset()
for i in range(len(d)):
    print(i,d[i])
