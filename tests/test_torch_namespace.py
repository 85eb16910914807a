"""`explainer.torch`: torch's names over the engine, each checked against real torch."""
from __future__ import annotations

import io
import zipfile

import numpy as np
import pytest
import torch

import explainer.torch as et
from explainer import functional, init, nn, optim, tensor
from explainer.errors import ExplainerError
from explainer.ops import OPS, functions


# --------------------------------------------------------------------------- one implementation

def test_the_namespace_re_exports_the_engine_objects_themselves():
    import explainer.torch.nn.functional as F
    import explainer.torch.nn.init as etinit
    from explainer.torch import nn as etnn, optim as etoptim
    from explainer.torch.autograd import Variable, grad  # noqa: F401
    from explainer.torch.utils.data import DataLoader, Dataset, TensorDataset, random_split  # noqa: F401
    assert et.Tensor is tensor.Tensor and et.tensor is tensor.tensor and et.no_grad is tensor.no_grad
    assert etnn.Linear is nn.Linear and etnn.Module is nn.Module and etnn.Parameter is nn.Parameter
    assert F.relu is functional.relu and F.nll_loss is functional.nll_loss
    assert etinit.xavier_normal_ is init.xavier_normal_ and etoptim.Adam is optim.Adam
    assert et.nn is etnn and et.optim is etoptim and et.utils.data.DataLoader is DataLoader
    with pytest.raises(AttributeError, match="module 'explainer.torch.nn' has no attribute 'Replication2d'"):
        etnn.Replication2d  # noqa: B018


def test_elementwise_functions_come_from_the_op_registry():
    top_level = [op.name for op in functions() if "." not in op.torch_name]
    assert {"exp", "log", "sigmoid", "tanh", "relu"} <= set(top_level)
    for name in top_level:                            # the engine's own function, not a copy
        assert getattr(et, name) is getattr(tensor, name)
    nested = [op.name for op in functions() if "." in op.torch_name]      # e.g. leaky_relu
    assert all(not hasattr(et, name) and hasattr(et.nn.functional, name) for name in nested)
    arithmetic = [name for name, op in OPS.items() if op.elementwise and not op.function]
    assert {"add", "sub", "mul", "div", "pow", "neg"} <= set(arithmetic)
    assert all(callable(getattr(et, name)) for name in arithmetic)
    x = np.array([0.5, 1.5, 2.0])
    for name in ("exp", "log", "sqrt", "sin", "cos", "tanh", "sigmoid", "relu", "abs", "neg"):
        ours = getattr(et, name)(et.tensor(x)).value
        theirs = getattr(torch, name)(torch.tensor(x)).numpy()
        np.testing.assert_allclose(ours, theirs, rtol=1e-12, err_msg=name)
    np.testing.assert_array_equal(et.add(et.tensor(x), 1).value, x + 1)
    np.testing.assert_array_equal(et.mul(et.tensor(x), et.tensor(x)).value, x * x)


# --------------------------------------------------------------------------- .data and in-place

def test_data_is_a_tensor_sharing_memory_outside_the_graph():
    w = et.tensor([1.0, 2.0], requires_grad=True)
    d = w.data
    assert isinstance(d, et.Tensor) and not d.requires_grad and np.shares_memory(d.value, w.value)
    w.data.fill_(3.0)
    assert w.tolist() == [3.0, 3.0] and w.requires_grad
    w.data.add_(1.0)
    w.data.sub_(et.tensor([0.5, 1.0]))
    assert w.tolist() == [3.5, 3.0]
    w.data.copy_(et.tensor([7.0, 8.0]))
    assert w.tolist() == [7.0, 8.0]
    (w * w).sum().backward()
    w.grad.data.zero_()
    assert w.grad.tolist() == [0.0, 0.0]
    w.data -= 0.5 * et.ones(2)                        # the manual linear-regression update
    assert w.tolist() == [6.5, 7.5] and w.is_leaf and w.requires_grad
    with et.no_grad():
        w -= 0.5
        w.zero_()
    assert w.tolist() == [0.0, 0.0]
    with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
        w += 1


def test_tensor_list_is_float32_and_legacy_types_build_and_cast():
    assert et.Tensor([[1, 0]]).dtype == et.float32 == torch.Tensor([[1, 0]]).numpy().dtype
    assert repr(et.float) == "torch.float32" and repr(et.double) == "torch.float64"
    assert et.long == np.int64 and et.bool == np.bool_ and et.int64 is et.long
    t = et.FloatTensor([2])
    assert repr(t) == repr(torch.FloatTensor([2])) == "tensor([2.])"
    assert t.type() == "torch.FloatTensor" and isinstance(t, et.FloatTensor)
    assert not isinstance(t, et.LongTensor)
    assert et.randn(2, 2).type(et.FloatTensor).dtype == et.float32
    assert et.tensor([1, 2]).type(et.DoubleTensor).dtype == et.float64
    assert et.tensor([1.5]).long().dtype == et.long and et.ones(2, dtype=et.long).dtype == np.int64
    assert str(et.zeros(2, dtype=et.double).dtype) == "torch.float64"
    assert et.LongTensor(2, 3).shape == (2, 3)


def test_device_and_cuda_on_a_cpu_engine():
    assert not et.cuda.is_available() and et.cuda.device_count() == 0
    device = et.device("cuda:0" if et.cuda.is_available() else "cpu")
    assert repr(device) == repr(torch.device("cpu")) and str(device) == "cpu"
    assert repr(et.device("cuda:0")) == repr(torch.device("cuda:0")) == "device(type='cuda', index=0)"
    x = et.ones(2)
    assert x.to(device) is x and x.device == device and x.cpu() is x
    model = et.nn.Linear(2, 1).to(device)
    assert model(x).shape == (1,)
    with pytest.raises(ExplainerError, match="CPU only"):
        x.to(et.device("cuda:0"))


# --------------------------------------------------------------------------- ops against torch

def test_mm_matmul_t_max_argmax_eq_view_as_against_torch():
    a = np.arange(6.0).reshape(2, 3) - 2.5
    b = np.arange(12.0).reshape(3, 4) / 7
    A, B = et.tensor(a), et.tensor(b)
    tA, tB = torch.tensor(a), torch.tensor(b)
    np.testing.assert_allclose(A.mm(B).value, tA.mm(tB).numpy(), rtol=1e-14)
    np.testing.assert_allclose(et.mm(A, B).value, torch.mm(tA, tB).numpy(), rtol=1e-14)
    np.testing.assert_allclose(A.matmul(B).value, tA.matmul(tB).numpy(), rtol=1e-14)
    np.testing.assert_array_equal(A.t().value, tA.t().numpy())
    for dim, keep in ((0, False), (1, True), (-1, False)):
        ours, theirs = A.max(dim, keep), tA.max(dim, keep)
        np.testing.assert_array_equal(ours.values.value, theirs.values.numpy())
        np.testing.assert_array_equal(ours.indices.value, theirs.indices.numpy())
        np.testing.assert_array_equal(A.argmax(dim, keep).value, tA.argmax(dim, keep).numpy())
    pred = et.tensor([[1], [0], [2]])
    target = et.tensor([1, 1, 2])
    assert pred.eq(target.view_as(pred)).sum().item() == 2
    assert A.contiguous() is A and et.allclose(A, A + 1e-9) and not et.allclose(A, A + 1)
    assert et.isclose(A, A).all().item() and et.equal(A, et.tensor(a))
    with pytest.raises(RuntimeError, match="self must be a matrix"):
        et.ones(3).mm(B)


def test_second_backward_raises_torchs_retain_graph_error():
    def graph(engine):
        x = engine.ones(2, 2, requires_grad=True)
        return x, ((x + 2) * (x + 2) * 3).mean()

    _, theirs = graph(torch)
    theirs.backward()
    with pytest.raises(RuntimeError) as their_error:
        theirs.backward()
    x, ours = graph(et)
    ours.backward()
    with pytest.raises(RuntimeError) as our_error:
        ours.backward()
    assert str(our_error.value) == str(their_error.value)
    x2, kept = graph(et)
    kept.backward(retain_graph=True)
    kept.backward()                                   # retained once: the second walk works
    assert x2.grad.tolist() == [[9.0, 9.0], [9.0, 9.0]]
    y = et.ones(3, requires_grad=True)
    s = (y + 1).sum()                                 # add and sum save nothing: torch allows it
    s.backward()
    s.backward()
    assert y.grad.tolist() == [2.0, 2.0, 2.0]


def test_autograd_grad_and_variable_match_torch():
    from explainer.torch.autograd import Variable, grad
    x = et.tensor([1.0, 2.0, 3.0], requires_grad=True)
    (gx,) = grad((x * x).sum(), x)
    tx = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    (tgx,) = torch.autograd.grad((tx * tx).sum(), tx)
    assert gx.tolist() == tgx.tolist() and x.grad is None
    v = Variable(et.ones(2), requires_grad=True)
    assert v.requires_grad and Variable(x) is x


def test_manual_seed_makes_every_draw_repeat():
    et.manual_seed(3)
    first = (et.randn(3).tolist(), et.rand(2).tolist(), et.randperm(5).tolist(), et.nn.Linear(2, 2).weight.tolist())
    et.manual_seed(3)
    assert first == (et.randn(3).tolist(), et.rand(2).tolist(), et.randperm(5).tolist(),
                     et.nn.Linear(2, 2).weight.tolist())


# --------------------------------------------------------------------------- printing

@pytest.mark.parametrize("make", [
    lambda t: t.ones(2, 2, requires_grad=True),
    lambda t: (t.ones(2, 2, requires_grad=True) + 2) * 3,
    lambda t: ((t.ones(2, 2, requires_grad=True) + 2) ** 2).mean(),
    lambda t: t.tensor([[1.0, 2.0], [3.0, 4.0]], dtype=t.double) * 4.5,
    lambda t: t.tensor([1, 2, 3], dtype=t.double, requires_grad=True) * 512,
    lambda t: t.tensor([-2, -1, 0, 1, 2]),
    lambda t: t.tensor([0.1, -12.5, 3.25]),
    lambda t: t.tensor([1e-5, 1.0, 250.0]),
    lambda t: t.tensor([1e9, 2.0]),
    lambda t: t.tensor([True, False]),
    lambda t: t.tensor(3.5),
    lambda t: t.tensor(7),
    lambda t: t.zeros(0),
    lambda t: t.zeros(2, 0),
    lambda t: t.arange(30.0).reshape(2, 15) / 7,
    lambda t: t.arange(2000).reshape(40, 50),
    lambda t: t.arange(24).reshape(2, 3, 4).float(),
    lambda t: t.tensor([float("nan"), float("inf"), 1.5]),
    lambda t: t.tensor([[1, 2]], dtype=t.int32),
], ids=lambda f: "")
def test_tensors_print_as_torch_prints_them(make):
    assert repr(make(et)) == repr(make(torch))


def test_parameter_grad_fn_size_and_format_print_as_torch():
    e, t = et.nn.Parameter(et.ones(2)), torch.nn.Parameter(torch.ones(2))
    assert repr(e) == repr(t)
    assert repr(et.ones(3, 2).shape) == repr(torch.ones(3, 2).shape) == "torch.Size([3, 2])"
    assert et.ones(3, 2).size() == (3, 2) and et.ones(3, 2).size(1) == 2
    loss = (et.ones(2, requires_grad=True) * 3).sum()
    assert repr(loss.grad_fn).startswith("<SumBackward0 object at 0x")
    assert "{}".format(loss) == "{}".format((torch.ones(2, requires_grad=True) * 3).sum()) == "6.0"
    assert f"{et.tensor(0.123456):.3f}" == "0.123"
    assert "{}".format(et.ones(2)) == "tensor([1., 1.])"
    with pytest.raises(TypeError):
        "{:.2f}".format(et.ones(2))
    values = et.tensor([[1.0, 5.0], [4.0, 2.0]]).max(1)
    assert repr(values) == repr(torch.tensor([[1.0, 5.0], [4.0, 2.0]]).max(1))


def test_module_texts_match_torch():
    for build in (lambda n: n.Conv2d(1, 64, kernel_size=3, padding=1),
                  lambda n: n.Conv2d(16, 33, (3, 5), stride=(2, 1), padding=(4, 2), dilation=(3, 1)),
                  lambda n: n.Conv2d(3, 8, 4, stride=2, bias=False),
                  lambda n: n.MaxPool2d(stride=2, kernel_size=2),
                  lambda n: n.Sequential(n.Linear(2, 64), n.ReLU(), n.Dropout(p=0.5), n.Linear(64, 1))):
        assert repr(build(et.nn)) == repr(build(torch.nn))


# --------------------------------------------------------------------------- padding and dilation

@pytest.mark.parametrize("mode", ["constant", "replicate", "reflect"])
def test_pad_and_its_gradient_match_torch(mode):
    x = np.random.default_rng(0).random((1, 2, 3, 4))
    ours = et.tensor(x, requires_grad=True)
    theirs = torch.tensor(x, requires_grad=True)
    pads = (1, 2, 2, 1)
    kwargs = {"value": -1.5} if mode == "constant" else {}
    out = et.nn.functional.pad(ours, pads, mode, **kwargs)
    ref = torch.nn.functional.pad(theirs, pads, mode, **kwargs)
    np.testing.assert_array_equal(out.value, ref.detach().numpy())
    weights = np.arange(ref.numel(), dtype=np.float64).reshape(ref.shape)
    (out * et.tensor(weights)).sum().backward()
    (ref * torch.tensor(weights)).sum().backward()
    np.testing.assert_allclose(ours.grad.value, theirs.grad.numpy(), rtol=1e-12)


def test_dilated_conv_and_its_gradient_match_torch():
    rng = np.random.default_rng(1)
    x, w, b = rng.random((2, 3, 12, 11)), rng.random((4, 3, 3, 2)), rng.random(4)
    tx, tw, tb = (torch.tensor(v, requires_grad=True) for v in (x, w, b))
    ex, ew, eb = (et.tensor(v, requires_grad=True) for v in (x, w, b))
    ref = torch.nn.functional.conv2d(tx, tw, tb, (2, 1), (4, 2), (3, 2))
    out = et.nn.functional.conv2d(ex, ew, eb, (2, 1), (4, 2), (3, 2))
    np.testing.assert_allclose(out.value, ref.detach().numpy(), rtol=1e-12)
    ref.pow(2).sum().backward()
    out.pow(2).sum().backward()
    for a, b_ in ((ex, tx), (ew, tw), (eb, tb)):
        np.testing.assert_allclose(a.grad.value, b_.grad.numpy(), rtol=1e-10)


# --------------------------------------------------------------------------- data

def test_dataloader_batches_and_collates_as_torch_does():
    import torch.utils.data as tdata

    from explainer.torch.utils import data as edata

    samples = [("ham", 1, 0.5, np.array([i, i + 1.0], dtype=np.float32)) for i in range(7)]

    class Listed:
        def __init__(self, module):
            self.module = module

        def make(self):
            base = self.module.Dataset

            class Items(base):
                def __getitem__(self, i): return samples[i]
                def __len__(self): return len(samples)
            return Items()

    theirs = list(tdata.DataLoader(Listed(tdata).make(), batch_size=3))
    ours = list(edata.DataLoader(Listed(edata).make(), batch_size=3, num_workers=2))
    assert len(ours) == len(theirs) == 3
    for a, b in zip(ours, theirs):
        assert type(a) is type(b) is list and a[0] == b[0]
        for x, y in zip(a[1:], b[1:]):
            assert x.dtype == y.numpy().dtype and x.tolist() == y.tolist()
    assert len(edata.DataLoader(Listed(edata).make(), batch_size=3, drop_last=True)) == 2


def test_tensor_dataset_shuffle_and_random_split():
    from explainer.torch.utils.data import DataLoader, TensorDataset, random_split
    x, y = et.arange(20.0).reshape(10, 2), et.arange(10)
    dataset = TensorDataset(x, y)
    assert len(dataset) == 10 and dataset[3][1].item() == 3
    et.manual_seed(0)
    batches = list(DataLoader(dataset, batch_size=4, shuffle=True))
    assert [len(b[1]) for b in batches] == [4, 4, 2]
    seen = sorted(v for _, labels in batches for v in labels.tolist())
    assert seen == list(range(10))
    for features, labels in batches:                  # rows stay paired with their labels
        assert features[:, 0].tolist() == [2.0 * v for v in labels.tolist()]
    a, b = random_split(dataset, [7, 3])
    assert len(a) == 7 and len(b) == 3
    assert sorted(a.indices + b.indices) == list(range(10))
    with pytest.raises(ExplainerError, match="Size mismatch"):
        TensorDataset(et.ones(3), et.ones(4))


# --------------------------------------------------------------------------- save / load

def test_save_and_load_round_trip_state_dicts(tmp_path):
    model = et.nn.Sequential(et.nn.Linear(3, 2), et.nn.ReLU(), et.nn.Linear(2, 1))
    opt = et.optim.Adam(model.parameters(), lr=0.01, betas=(0.5, 0.999))
    model(et.ones(4, 3)).sum().backward()
    opt.step()
    et.save(model.state_dict(), tmp_path / "m.pt")
    et.save(opt.state_dict(), str(tmp_path / "o.pkl"))
    assert (tmp_path / "o.pkl").is_file()            # the user's file name, no .npz appended
    state = et.load(tmp_path / "m.pt")
    assert list(state) == ["0.weight", "0.bias", "2.weight", "2.bias"]
    fresh = et.nn.Sequential(et.nn.Linear(3, 2), et.nn.ReLU(), et.nn.Linear(2, 1))
    fresh.load_state_dict(state)
    assert all(et.equal(a, b) for a, b in zip(fresh.parameters(), model.parameters()))
    saved = et.load(tmp_path / "o.pkl", map_location="cpu", weights_only=True)
    assert saved["param_groups"][0]["betas"] == (0.5, 0.999) and saved["state"][0]["step"] == 1
    fresh_opt = et.optim.Adam(fresh.parameters())
    fresh_opt.load_state_dict(saved)
    np.testing.assert_array_equal(fresh_opt.state_dict()["state"][0]["exp_avg"],
                                  opt.state_dict()["state"][0]["exp_avg"])
    buffer = io.BytesIO()
    et.save({"w": et.tensor([1.0, 2.0], requires_grad=True), "n": [1, "a", None, 2.5]}, buffer)
    buffer.seek(0)
    back = et.load(buffer)
    assert back["w"].requires_grad and back["w"].tolist() == [1.0, 2.0] and back["n"] == [1, "a", None, 2.5]


def test_load_refuses_what_is_not_ours_in_one_sentence(tmp_path):
    torch.save({"w": torch.ones(2)}, tmp_path / "torch.pt")           # a zip holding a pickle
    (tmp_path / "text.pt").write_text("hello")
    et.save({"w": et.ones(1000)}, tmp_path / "ours.pt")
    data = (tmp_path / "ours.pt").read_bytes()
    (tmp_path / "cut.pt").write_bytes(data[: len(data) // 2])
    with zipfile.ZipFile(tmp_path / "objects.npz", "w") as archive:   # an object array = a pickle
        buffer = io.BytesIO()
        np.save(buffer, np.array([{"x": 1}], dtype=object), allow_pickle=True)
        archive.writestr("__explainer_torch__.npy", buffer.getvalue())
    for name, why in (("torch.pt", "cannot be loaded"), ("text.pt", "not a zip of numpy arrays"),
                      ("cut.pt", "truncated or damaged"), ("objects.npz", "cannot be loaded")):
        with pytest.raises(ExplainerError, match=why) as caught:
            et.load(tmp_path / name)
        message = str(caught.value)
        assert message.count(".") >= 1 and "\n" not in message and "never unpickles" in message
    with pytest.raises(FileNotFoundError, match="there is no file"):
        et.load(tmp_path / "missing.pt")
    with pytest.raises(RuntimeError, match="Parent directory .*model does not exist"):
        et.save({}, tmp_path / "model" / "x.pt")
    with pytest.raises(ExplainerError, match="not a builtin_function_or_method"):
        et.save({"f": len}, tmp_path / "f.pt")


def test_modules_map_a_scripts_torch_imports_to_the_namespace(monkeypatch):
    import sys
    mapping = et.modules()
    assert mapping["torch"] is et and mapping["torch.nn.functional"] is et.nn.functional
    assert set(mapping) >= {"torch", "torch.nn", "torch.optim", "torch.utils.data", "torch.autograd"}
    for name, module in mapping.items():
        monkeypatch.setitem(sys.modules, name, module)
    namespace: dict = {}
    exec("import torch\nimport torch.nn.functional as F\nfrom torch.utils.data import DataLoader\n"
         "y = F.relu(torch.tensor([-1.0, 2.0]))", namespace)
    assert namespace["torch"] is et and namespace["DataLoader"] is et.utils.data.DataLoader
    assert namespace["y"].tolist() == [0.0, 2.0]


def test_conv2d_given_sets_is_refused_where_torch_silently_reorders_them():
    # the tutorial's `kernel_size={3, 5}, stride={2, 1}` (EXAMPLES.md D): torch iterates the sets,
    # so its stride becomes (1, 2); our engine names the mistake instead
    theirs = torch.nn.Conv2d(16, 33, kernel_size={3, 5}, stride={2, 1})
    assert theirs.stride == (1, 2)
    with pytest.raises(ExplainerError, match=r"not the set \{3, 5\}.*\(3, 5\)"):
        et.nn.Conv2d(16, 33, kernel_size={3, 5}, stride={2, 1})
