# seed 000 "3. 迭代数据集": DataLoader(batch_size=10, shuffle=True, num_workers=2) over that Dataset
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
from torch.utils.data import DataLoader
dataset = CifarDataset()
data_loader = DataLoader(dataset=dataset,batch_size=10,shuffle=True,num_workers=2)
for index, (label, context) in enumerate(data_loader):
    print(index,label,context)
    print("*"*100)
print(len(dataset), len(data_loader))
