"""A small GPT for health trajectories, after Delphi-2M (Shmatko et al., Nature 2025) and nanoGPT.

Differences from a text GPT, all from Delphi:
- no position embedding: each token carries its age, encoded with sinusoids of age in years;
- tokens recorded at the same age cannot attend to each other (their order within a day means nothing);
- the head's outputs are log-rates (per year) of every next event; besides the next-token cross-entropy,
  the waiting time to the next event is scored under an exponential law with the total rate.

All the model sees is `ModelConfig`; it is saved in every checkpoint. No I/O here.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import torch
import torch.nn as nn
import torch.nn.functional as F

MIN_DT_YEARS = 1.0 / 365.25  # waiting times are floored at one day: same-day events have dt 0


@dataclass(frozen=True)
class ModelConfig:
    vocab_size: int
    no_loss_tokens: tuple[int, ...]  # never predicted (padding, sex, lifestyle, unknown)
    pad_token: int = 0
    block_size: int = 96
    n_layer: int = 4
    n_head: int = 4
    n_embd: int = 96
    dropout: float = 0.1
    bias: bool = False
    max_age_period_years: float = 400.0  # the slowest sinusoid of the age encoding

    def to_dict(self) -> dict:
        d = asdict(self)
        d["no_loss_tokens"] = list(self.no_loss_tokens)
        return d

    @classmethod
    def from_dict(cls, d: dict) -> ModelConfig:
        return cls(**{**d, "no_loss_tokens": tuple(d["no_loss_tokens"])})


class AgeEncoding(nn.Module):
    """Continuous age -> vector: sin/cos at periods from 1 to `max_age_period_years` years, then linear."""

    def __init__(self, cfg: ModelConfig) -> None:
        super().__init__()
        half = cfg.n_embd // 2
        periods = torch.logspace(0.0, math.log10(cfg.max_age_period_years), half)
        self.register_buffer("omega", 2 * math.pi / periods, persistent=False)
        self.proj = nn.Linear(2 * half, cfg.n_embd, bias=False)

    def forward(self, age: torch.Tensor) -> torch.Tensor:
        phase = age.unsqueeze(-1) * self.omega  # (B, T, C/2)
        return self.proj(torch.cat([phase.sin(), phase.cos()], dim=-1))  # (B, T, C)


class SelfAttention(nn.Module):
    def __init__(self, cfg: ModelConfig) -> None:
        super().__init__()
        assert cfg.n_embd % cfg.n_head == 0
        self.n_head = cfg.n_head
        self.qkv = nn.Linear(cfg.n_embd, 3 * cfg.n_embd, bias=cfg.bias)
        self.proj = nn.Linear(cfg.n_embd, cfg.n_embd, bias=cfg.bias)
        self.dropout = cfg.dropout
        self.resid_drop = nn.Dropout(cfg.dropout)

    def forward(self, x: torch.Tensor, allowed: torch.Tensor) -> torch.Tensor:
        B, T, C = x.shape
        q, k, v = self.qkv(x).split(C, dim=2)
        q = q.view(B, T, self.n_head, C // self.n_head).transpose(1, 2)  # (B, nh, T, hs)
        k = k.view(B, T, self.n_head, C // self.n_head).transpose(1, 2)  # (B, nh, T, hs)
        v = v.view(B, T, self.n_head, C // self.n_head).transpose(1, 2)  # (B, nh, T, hs)
        y = F.scaled_dot_product_attention(
            q, k, v, attn_mask=allowed, dropout_p=self.dropout if self.training else 0.0
        )  # (B, nh, T, hs)
        y = y.transpose(1, 2).contiguous().view(B, T, C)  # (B, T, C)
        return self.resid_drop(self.proj(y))


class MLP(nn.Module):
    def __init__(self, cfg: ModelConfig) -> None:
        super().__init__()
        self.fc = nn.Linear(cfg.n_embd, 4 * cfg.n_embd, bias=cfg.bias)
        self.proj = nn.Linear(4 * cfg.n_embd, cfg.n_embd, bias=cfg.bias)
        self.drop = nn.Dropout(cfg.dropout)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.drop(self.proj(F.gelu(self.fc(x))))


class Block(nn.Module):
    def __init__(self, cfg: ModelConfig) -> None:
        super().__init__()
        self.ln1 = nn.LayerNorm(cfg.n_embd, bias=cfg.bias)
        self.attn = SelfAttention(cfg)
        self.ln2 = nn.LayerNorm(cfg.n_embd, bias=cfg.bias)
        self.mlp = MLP(cfg)

    def forward(self, x: torch.Tensor, allowed: torch.Tensor) -> torch.Tensor:
        x = x + self.attn(self.ln1(x), allowed)
        return x + self.mlp(self.ln2(x))


class TrajectoryGPT(nn.Module):
    def __init__(self, cfg: ModelConfig) -> None:
        super().__init__()
        self.cfg = cfg
        self.tok_emb = nn.Embedding(cfg.vocab_size, cfg.n_embd, padding_idx=cfg.pad_token)
        self.age_enc = AgeEncoding(cfg)
        self.drop = nn.Dropout(cfg.dropout)
        self.blocks = nn.ModuleList(Block(cfg) for _ in range(cfg.n_layer))
        self.ln_f = nn.LayerNorm(cfg.n_embd, bias=cfg.bias)
        self.head = nn.Linear(cfg.n_embd, cfg.vocab_size, bias=False)
        self.head.weight = self.tok_emb.weight  # weight tying, as in GPT-2
        # start near a total rate of one event per year, not one per token per year
        self.head_bias = nn.Parameter(torch.full((cfg.vocab_size,), -math.log(cfg.vocab_size)))
        no_loss = torch.zeros(cfg.vocab_size, dtype=torch.bool)
        no_loss[list(cfg.no_loss_tokens)] = True
        self.register_buffer("no_loss", no_loss, persistent=False)
        self.apply(self._init_weights)
        for name, p in self.named_parameters():
            if name.endswith("proj.weight") and "age_enc" not in name:
                nn.init.normal_(p, mean=0.0, std=0.02 / math.sqrt(2 * cfg.n_layer))

    @staticmethod
    def _init_weights(m: nn.Module) -> None:
        if isinstance(m, nn.Linear):
            nn.init.normal_(m.weight, mean=0.0, std=0.02)
            if m.bias is not None:
                nn.init.zeros_(m.bias)
        elif isinstance(m, nn.Embedding):
            nn.init.normal_(m.weight, mean=0.0, std=0.02)

    def num_params(self) -> int:
        return sum(p.numel() for p in self.parameters())

    def attention_mask(self, tokens: torch.Tensor, age: torch.Tensor) -> torch.Tensor:
        """(B, 1, T, T) True where query i may attend key j: j earlier in time (or j == i), j not padding."""
        T = tokens.shape[1]
        eye = torch.eye(T, dtype=torch.bool, device=tokens.device)
        earlier = age.unsqueeze(-1) > age.unsqueeze(-2)  # (B, T, T) key strictly younger than query
        causal = torch.ones(T, T, dtype=torch.bool, device=tokens.device).tril()
        real = (tokens != self.cfg.pad_token).unsqueeze(1)  # (B, 1, T)
        allowed = ((earlier & causal & real) | eye).unsqueeze(1)
        # an additive float mask keeps scaled_dot_product_attention on its fused CPU kernel
        return torch.zeros(allowed.shape, dtype=self.head_bias.dtype, device=tokens.device).masked_fill(
            ~allowed, float("-inf")
        )

    def hidden(self, tokens: torch.Tensor, age: torch.Tensor) -> torch.Tensor:
        """(B, T, C) final hidden states, before the output head."""
        x = self.drop(self.tok_emb(tokens) + self.age_enc(age))  # (B, T, C)
        allowed = self.attention_mask(tokens, age)
        for block in self.blocks:
            x = block(x, allowed)
        return x

    def log_rates(self, h: torch.Tensor) -> torch.Tensor:
        """Hidden states (..., C) -> log-rates per year (..., V); no-loss tokens -inf."""
        logits = self.head(self.ln_f(h)) + self.head_bias
        return logits.masked_fill(self.no_loss, float("-inf"))

    def last_log_rates(self, tokens: torch.Tensor, age: torch.Tensor, last: torch.Tensor) -> torch.Tensor:
        """(B, V) log-rates at position `last[b]` of each row; the head (most of the cost) runs once a row."""
        h = self.hidden(tokens, age)
        return self.log_rates(h[torch.arange(len(last)), last])

    def forward(self, tokens: torch.Tensor, age: torch.Tensor) -> torch.Tensor:
        """Log-rates per year of every next event at every position: (B, T, V)."""
        return self.log_rates(self.hidden(tokens, age))

    def loss(self, tokens: torch.Tensor, age: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Next-event cross-entropy and exponential waiting-time loss, means over scored positions."""
        return trajectory_loss(
            self(tokens[:, :-1], age[:, :-1]), tokens, age, self.no_loss, self.cfg.pad_token
        )


def trajectory_loss(
    logits: torch.Tensor, tokens: torch.Tensor, age: torch.Tensor, no_loss: torch.Tensor, pad_token: int
) -> tuple[torch.Tensor, torch.Tensor]:
    """Losses of log-rates `logits` (B, T-1, V) for the targets tokens[:, 1:] at ages age[:, 1:].

    Shared by the transformer and the bag-of-codes baseline so both are trained and scored alike.
    """
    target = tokens[:, 1:]  # (B, T-1)
    scored = ~no_loss[target] & (tokens[:, :-1] != pad_token)  # (B, T-1)
    logits = logits.float()
    stand_in = int((~no_loss).nonzero()[0])  # any predictable id: unscored targets would give inf CE
    safe_target = target.masked_fill(~scored, stand_in)
    ce = F.cross_entropy(logits.transpose(1, 2), safe_target, reduction="none")  # (B, T-1)
    dt = (age[:, 1:] - age[:, :-1]).clamp(min=MIN_DT_YEARS)  # (B, T-1)
    lse = torch.logsumexp(logits, dim=-1)  # (B, T-1) log of the total rate
    nll_time = -(lse - lse.exp() * dt)  # exponential waiting-time negative log-likelihood
    n = scored.sum().clamp(min=1)
    zero = torch.zeros((), device=ce.device)
    return torch.where(scored, ce, zero).sum() / n, torch.where(scored, nll_time, zero).sum() / n
