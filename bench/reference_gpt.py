"""A minimal PyTorch GPT-2 with the chapter's semantics, written for SFT Studio's benchmarks.

Two flavours of the same architecture:
  chapter: the book's modules (separate query/key/value projections, LayerNorm and GELU written
           out as tensor expressions, the output head applied at every position);
  fused:   the same maths with PyTorch's fused modules (nn.LayerNorm, F.gelu(tanh), one qkv
           projection), i.e. the fastest plain-PyTorch version of it.
Both run on Debian's python3-torch, the same LibTorch the C++ code links.
"""
import math

import torch
import torch.nn as nn
import torch.nn.functional as F


class ChapterLayerNorm(nn.Module):
    def __init__(self, d, eps=1e-5):
        super().__init__()
        self.eps = eps
        self.scale = nn.Parameter(torch.ones(d))
        self.shift = nn.Parameter(torch.zeros(d))

    def forward(self, x):
        mean = x.mean(dim=-1, keepdim=True)
        var = x.var(dim=-1, keepdim=True, unbiased=False)
        return self.scale * (x - mean) / torch.sqrt(var + self.eps) + self.shift


class ChapterGelu(nn.Module):
    def forward(self, x):
        return 0.5 * x * (1 + torch.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * x.pow(3))))


class Attention(nn.Module):
    def __init__(self, d, heads, ctx, fused):
        super().__init__()
        self.heads, self.fused = heads, fused
        if fused:
            self.qkv = nn.Linear(d, 3 * d)
        else:
            self.q, self.k, self.v = nn.Linear(d, d), nn.Linear(d, d), nn.Linear(d, d)
        self.out = nn.Linear(d, d)
        self.register_buffer("mask", torch.triu(torch.ones(ctx, ctx), diagonal=1).bool())

    def forward(self, x):
        b, t, d = x.shape
        if self.fused:
            q, k, v = self.qkv(x).split(d, dim=2)
        else:
            q, k, v = self.q(x), self.k(x), self.v(x)
        shape = (b, t, self.heads, d // self.heads)
        q, k, v = (z.view(shape).transpose(1, 2) for z in (q, k, v))
        scores = q @ k.transpose(2, 3)
        scores = scores.masked_fill(self.mask[:t, :t], float("-inf"))
        weights = torch.softmax(scores / math.sqrt(d // self.heads), dim=-1)
        return self.out((weights @ v).transpose(1, 2).reshape(b, t, d))


class Block(nn.Module):
    def __init__(self, d, heads, ctx, fused):
        super().__init__()
        norm = (lambda: nn.LayerNorm(d, eps=1e-5)) if fused else (lambda: ChapterLayerNorm(d))
        gelu = nn.GELU(approximate="tanh") if fused else ChapterGelu()
        self.norm1, self.norm2 = norm(), norm()
        self.att = Attention(d, heads, ctx, fused)
        self.ff = nn.Sequential(nn.Linear(d, 4 * d), gelu, nn.Linear(4 * d, d))

    def forward(self, x):
        x = x + self.att(self.norm1(x))
        return x + self.ff(self.norm2(x))


class Gpt(nn.Module):
    def __init__(self, vocab=50257, ctx=1024, d=768, layers=12, heads=12, fused=False):
        super().__init__()
        self.tok = nn.Embedding(vocab, d)
        self.pos = nn.Embedding(ctx, d)
        self.blocks = nn.Sequential(*[Block(d, heads, ctx, fused) for _ in range(layers)])
        self.norm = nn.LayerNorm(d, eps=1e-5) if fused else ChapterLayerNorm(d)
        self.head = nn.Linear(d, vocab, bias=False)
        for p in self.parameters():
            if p.dim() > 1:
                nn.init.normal_(p, 0.0, 0.02)

    def forward(self, ids):
        x = self.tok(ids) + self.pos(torch.arange(ids.shape[1]))
        return self.head(self.norm(self.blocks(x)))


def batch_loss(model, inputs, targets):
    logits = model(inputs)
    return F.cross_entropy(logits.flatten(0, 1), targets.flatten())
