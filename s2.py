import torch
from explainer import scopes
class Net(torch.nn.Module):
    def __init__(s):
        super().__init__(); s.rnn = torch.nn.LSTM(3, 8, batch_first=True); s.fc = torch.nn.Linear(8, 1)
    def forward(s, x):
        out, _ = s.rnn(x); return s.fc(out[:, -1])
m = Net().double()
x = torch.randn(4, 5, 3, dtype=torch.float64)
with scopes.record(m) as r:
    loss = torch.nn.functional.mse_loss(m(x), torch.zeros(4, 1, dtype=torch.float64))
seen=set(); st=[loss.grad_fn]
while st:
    f=st.pop()
    if f in seen: continue
    seen.add(f); print(type(f).__name__, repr(r.groups.get(f)))
    st += [n for n,_ in f.next_functions if n is not None]
