"""The model: shapes, masking of same-age tokens, losses, and that training lowers the loss."""

from __future__ import annotations

import numpy as np
import torch

from medtrio.trajectory.model import ModelConfig, TrajectoryGPT
from medtrio.trajectory.vocab import FEMALE, NO_EVENT, PAD


def tiny(**kw) -> TrajectoryGPT:
    torch.manual_seed(0)
    return TrajectoryGPT(
        ModelConfig(
            vocab_size=30,
            no_loss_tokens=(PAD, 2, 3, 29),
            block_size=16,
            n_layer=2,
            n_head=2,
            n_embd=16,
            dropout=0.0,
            **kw,
        )
    ).eval()


class TestForward:
    def test_shapes_and_no_loss_tokens(self) -> None:
        m = tiny()
        tok = torch.tensor([[FEMALE, 15, 16, PAD]])
        age = torch.tensor([[0.0, 40.0, 41.0, -1.0]])
        out = m(tok, age)
        assert out.shape == (1, 4, 30)
        assert torch.isinf(out[..., [PAD, 2, 3, 29]]).all() and torch.isfinite(out[..., NO_EVENT]).all()

    def test_same_age_tokens_do_not_see_each_other(self) -> None:
        m = tiny()
        age = torch.tensor([[0.0, 40.0, 40.0]])
        a = m(torch.tensor([[FEMALE, 15, 16]]), age)
        b = m(torch.tensor([[FEMALE, 20, 16]]), age)
        # position 2 shares age 40 with position 1, so changing token 1 must not change position 2
        assert torch.allclose(a[0, 2], b[0, 2]) and not torch.allclose(a[0, 1], b[0, 1])

    def test_future_does_not_leak(self) -> None:
        m = tiny()
        age = torch.tensor([[0.0, 40.0, 50.0]])
        a = m(torch.tensor([[FEMALE, 15, 16]]), age)
        b = m(torch.tensor([[FEMALE, 15, 20]]), age)
        assert torch.allclose(a[0, :2], b[0, :2])


class TestLoss:
    def test_training_lowers_both_losses(self) -> None:
        m = tiny().train()
        rng = np.random.default_rng(0)
        tok = torch.tensor([[FEMALE, 15, 16, 17, 18]] * 8)
        age = torch.tensor(np.sort(rng.uniform(30, 70, (8, 5)), axis=1), dtype=torch.float32)
        age[:, 0] = 0
        ce0, t0 = m.loss(tok, age)
        opt = torch.optim.Adam(m.parameters(), 1e-2)
        for _ in range(50):
            ce, t = m.loss(tok, age)
            opt.zero_grad()
            (ce + t).backward()
            opt.step()
        assert ce < ce0 and t < t0 and torch.isfinite(ce + t)

    def test_padding_targets_are_not_scored(self) -> None:
        m = tiny()
        tok = torch.tensor([[FEMALE, 15, PAD, PAD]])
        age = torch.tensor([[0.0, 40.0, -1.0, -1.0]])
        ce, t = m.loss(tok, age)
        ce1, t1 = m.loss(tok[:, :2], age[:, :2])
        assert torch.allclose(ce, ce1) and torch.allclose(t, t1)
