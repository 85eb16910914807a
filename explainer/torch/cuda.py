"""torch.cuda on an engine that runs on the CPU: nothing is available, so code picks "cpu"."""


def is_available() -> bool:
    return False


def device_count() -> int:
    return 0


def manual_seed(seed: int) -> None:
    """Seeding a GPU that is not there does nothing (as in torch without CUDA)."""


def manual_seed_all(seed: int) -> None:
    """See manual_seed."""
