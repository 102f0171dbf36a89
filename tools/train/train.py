#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Train edna's demo model: a small llama-style decoder on the King James
Bible, exported as GGUF v3.

Needs Debian bookworm's python3-torch (1.13), python3-numpy and bible-kjv
(which pulls in bible-kjv-text, the public-domain KJV text; its `bible`
program is the only thing that reads that package's compressed data).

  nice -n 19 /usr/bin/python3 tools/train/train.py          # everything
  tools/train/train.py --export-only                        # from checkpoint

Phases: corpus -> tokenizer (byte-fallback BPE, SentencePiece-style) ->
encoded corpus -> training (checkpointed in --work, resumable) -> export
(models/edna-kjv.gguf) -> greedy reference from the exported weights
(models/edna-kjv.expected) -> sampled text.  Documentation/demo-model.rst
describes the model, the tokenizer procedure and the files.
"""

import argparse
import collections
import json
import math
import os
import re
import subprocess
import sys
import time


def _threads_arg():
    for i, a in enumerate(sys.argv):
        if a == "--threads" and i + 1 < len(sys.argv):
            return sys.argv[i + 1]
        if a.startswith("--threads="):
            return a.split("=", 1)[1]
    return "1"


# Before torch starts its OpenMP and OpenBLAS pools: on two cores shared
# with other jobs, spinning worker threads cost far more than they give.
for _k in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
    os.environ.setdefault(_k, _threads_arg())
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn as nn  # noqa: E402
import torch.nn.functional as F  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gguf_writer as gw  # noqa: E402

SP = "\u2581"                       # SentencePiece's word-start mark
UNK, BOS, EOS = 0, 1, 2
N_SPECIAL = 3
BYTE0 = N_SPECIAL                   # <0x00> .. <0xFF> are ids 3 .. 258
TT_NORMAL, TT_UNKNOWN, TT_CONTROL, TT_BYTE = 1, 2, 3, 6


def log(*a):
    print(time.strftime("%H:%M:%S"), *a, flush=True)


# ---------------------------------------------------------------------------
# Corpus

VERSE_RE = re.compile(r"^(\d?[A-Za-z]+)(\d+):(\d+) (.*)$")


def load_chapters(corpus_file=None):
    """The KJV as a list of chapters, each the chapter's verses joined by
    single spaces.  From `bible -f` (one "Ge1:1 text" line per verse), or
    from a file in that format."""
    if corpus_file:
        with open(corpus_file, encoding="utf-8") as f:
            text = f.read()
    else:
        text = subprocess.run(["bible", "-f", "gen1:1-rev22:21"],
                              stdin=subprocess.DEVNULL, check=True,
                              capture_output=True).stdout.decode("utf-8")
    chapters, key = [], None
    for line in text.splitlines():
        m = VERSE_RE.match(line)
        if not m:
            raise ValueError("unexpected corpus line %r" % line[:60])
        k = (m.group(1), int(m.group(2)))
        if k != key:
            chapters.append([])
            key = k
        chapters[-1].append(" ".join(m.group(4).split()))
    return [" ".join(c) for c in chapters]


# ---------------------------------------------------------------------------
# Tokenizer
#
# The vocabulary: 0 <unk>, 1 <s>, 2 </s>, 3..258 the byte tokens
# <0x00>..<0xFF>, then the normal tokens: the learned merges in the order
# they were learned, then the single characters.  Normal token k (k = 0
# for the first one after the bytes) has score -k, so a higher score
# means merged earlier; the others have score 0.
#
# Encoding (the standard llama / SentencePiece BPE procedure, see
# Tokenizer._spm): unless the text is empty, prefix "▁"; spaces -> "▁";
# split into characters, merge
# the adjacent pair whose concatenation is a normal token of the highest
# score (leftmost on ties) until none is; a symbol that is not a token is
# emitted as its UTF-8 bytes' byte tokens.
#
# Training pre-splits the normalised text into pieces (PIECE_RE) and
# learns merges only inside a piece.  Every token therefore holds "▁"
# only at its start, "'" only at its start, and otherwise letters only,
# so no merge of the procedure can cross a piece boundary and encoding
# piece by piece (with a cache) gives exactly what the procedure gives on
# the whole text; check_tokenizer() verifies that.

PIECE_RE = re.compile(SP + r"?[A-Za-z]+|'[A-Za-z]+|[^A-Za-z]", re.S)


def normalize(text):
    return SP + text.replace(" ", SP)


def train_bpe(pieces_freq, n_tokens, alphabet):
    """Classic BPE on piece frequencies: merge the most frequent adjacent
    pair (ties: the smaller merged string, then the smaller left part)
    until n_tokens distinct normal tokens exist (alphabet included).
    Returns the merged token strings in the order they were made."""
    words = [list(p) for p in pieces_freq]
    freqs = list(pieces_freq.values())
    pairs = collections.Counter()
    where = collections.defaultdict(set)
    for i, w in enumerate(words):
        for a, b in zip(w, w[1:]):
            pairs[a, b] += freqs[i]
            where[a, b].add(i)
    have = set(alphabet)
    merged = []
    while len(have) < n_tokens and pairs:
        (a, b), cnt = min(pairs.items(),
                          key=lambda kv: (-kv[1], kv[0][0] + kv[0][1],
                                          kv[0][0]))
        if cnt < 2:
            break
        new = a + b
        if new not in have:
            have.add(new)
            merged.append(new)
        for i in where.pop((a, b)):
            w, f = words[i], freqs[i]
            if len(w) < 2:
                continue
            for x, y in zip(w, w[1:]):
                pairs[x, y] -= f
                if pairs[x, y] <= 0:
                    del pairs[x, y]
            out, j = [], 0
            while j < len(w):
                if j + 1 < len(w) and w[j] == a and w[j + 1] == b:
                    out.append(new)
                    j += 2
                else:
                    out.append(w[j])
                    j += 1
            words[i] = out
            for x, y in zip(out, out[1:]):
                pairs[x, y] += f
                where[x, y].add(i)
    return merged


class Tokenizer:
    def __init__(self, tokens, scores, types):
        self.tokens, self.types = tokens, types
        self.scores = [float(x) + 0.0 for x in scores]      # no -0.0
        self.normal = {t: i for i, t in enumerate(tokens)
                       if types[i] == TT_NORMAL}
        self.cache = {}

    @classmethod
    def train(cls, chapters, vocab_size):
        freq = collections.Counter()
        for c in chapters:
            freq.update(PIECE_RE.findall(normalize(c)))
        alphabet = sorted({ch for p in freq for ch in p})
        n_normal = vocab_size - N_SPECIAL - 256
        merged = train_bpe(freq, n_normal, alphabet)
        normals = merged + alphabet
        tokens = ["<unk>", "<s>", "</s>"]
        tokens += ["<0x%02X>" % b for b in range(256)]
        tokens += normals
        types = [TT_UNKNOWN, TT_CONTROL, TT_CONTROL] + [TT_BYTE] * 256
        types += [TT_NORMAL] * len(normals)
        scores = [0.0] * (N_SPECIAL + 256)
        scores += [-float(k) for k in range(len(normals))]
        return cls(tokens, scores, types)

    def _spm(self, text):
        """The procedure itself, on already normalised text."""
        syms = list(text)
        while True:
            best, best_score = -1, None
            for i in range(len(syms) - 1):
                t = self.normal.get(syms[i] + syms[i + 1])
                if t is not None and (best < 0 or
                                      self.scores[t] > best_score):
                    best, best_score = i, self.scores[t]
            if best < 0:
                break
            syms[best:best + 2] = [syms[best] + syms[best + 1]]
        ids = []
        for s in syms:
            t = self.normal.get(s)
            if t is not None:
                ids.append(t)
            else:
                ids.extend(BYTE0 + b for b in s.encode("utf-8"))
        return ids

    def encode_reference(self, text):
        """Straight from the definition, on the whole text (slow)."""
        return self._spm(normalize(text)) if text else []

    def encode(self, text):
        """Same result, piece by piece with a cache."""
        ids = []
        for p in PIECE_RE.findall(normalize(text) if text else ""):
            r = self.cache.get(p)
            if r is None:
                r = self.cache[p] = self._spm(p)
            ids.extend(r)
        return ids

    def decode(self, ids, strip_leading_space=True):
        out = bytearray()
        for t in ids:
            if self.types[t] == TT_BYTE:
                out.append(t - BYTE0)
            elif self.types[t] == TT_NORMAL:
                out += self.tokens[t].replace(SP, " ").encode("utf-8")
        s = out.decode("utf-8", errors="replace")
        if strip_leading_space and s.startswith(" "):
            s = s[1:]
        return s

    def to_json(self):
        return {"tokens": self.tokens, "scores": self.scores,
                "types": self.types}


def check_tokenizer(tok, chapters):
    """The cached piece-wise encoder must equal the plain procedure."""
    samples = [chapters[0], chapters[len(chapters) // 2][:3000],
               "In the beginning", "  two  spaces, digits 1611 & ünïcode ✝",
               "The LORD's 'tis (selah)!", ""]
    for s in samples:
        a, b = tok.encode(s), tok.encode_reference(s)
        if a != b:
            raise AssertionError("tokenizer mismatch on %r" % s[:40])
    assert tok.decode(tok.encode(samples[3])) == samples[3]


# ---------------------------------------------------------------------------
# Model: llama as the edna device computes it

class Config:
    def __init__(self, **kw):
        self.vocab = kw.get("vocab", 1024)
        self.dim = kw.get("dim", 256)
        self.layers = kw.get("layers", 6)
        self.heads = kw.get("heads", 8)
        self.kv_heads = kw.get("kv_heads", 4)
        self.hidden = kw.get("hidden", 768)
        self.ctx = kw.get("ctx", 256)
        self.theta = kw.get("theta", 10000.0)
        self.eps = kw.get("eps", 1e-5)

    @property
    def hd(self):
        return self.dim // self.heads

    def as_dict(self):
        return dict(vars(self))


class RMSNorm(nn.Module):
    def __init__(self, d, eps):
        super().__init__()
        self.eps = eps
        self.weight = nn.Parameter(torch.ones(d))

    def forward(self, x):
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) +
                               self.eps) * self.weight


def rope_tables(cfg, n):
    """cos, sin [n, hd/2]: pair i of a head at position p turns by
    p * theta^(-2i/hd)."""
    i = torch.arange(cfg.hd // 2, dtype=torch.float64)
    freq = cfg.theta ** (-2.0 * i / cfg.hd)
    ang = torch.arange(n, dtype=torch.float64)[:, None] * freq[None, :]
    return torch.cos(ang).float(), torch.sin(ang).float()


def rope(x, cos, sin):
    """x [B, T, heads, hd]; adjacent pairs (2i, 2i+1) rotated."""
    x0, x1 = x[..., 0::2], x[..., 1::2]
    c, s = cos[:, None, :], sin[:, None, :]
    return torch.stack((x0 * c - x1 * s, x0 * s + x1 * c), -1).flatten(-2)


class Block(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.cfg = cfg
        d, hd = cfg.dim, cfg.hd
        self.attn_norm = RMSNorm(d, cfg.eps)
        self.wq = nn.Linear(d, cfg.heads * hd, bias=False)
        self.wk = nn.Linear(d, cfg.kv_heads * hd, bias=False)
        self.wv = nn.Linear(d, cfg.kv_heads * hd, bias=False)
        self.wo = nn.Linear(cfg.heads * hd, d, bias=False)
        self.ffn_norm = RMSNorm(d, cfg.eps)
        self.w1 = nn.Linear(d, cfg.hidden, bias=False)    # gate
        self.w3 = nn.Linear(d, cfg.hidden, bias=False)    # up
        self.w2 = nn.Linear(cfg.hidden, d, bias=False)    # down

    def forward(self, x, cos, sin, mask):
        cfg = self.cfg
        B, T, _ = x.shape
        h = self.attn_norm(x)
        q = rope(self.wq(h).view(B, T, cfg.heads, cfg.hd), cos, sin)
        k = rope(self.wk(h).view(B, T, cfg.kv_heads, cfg.hd), cos, sin)
        v = self.wv(h).view(B, T, cfg.kv_heads, cfg.hd)
        g = cfg.heads // cfg.kv_heads
        # query head h reads kv head h // g
        k = k.transpose(1, 2).repeat_interleave(g, dim=1)
        v = v.transpose(1, 2).repeat_interleave(g, dim=1)
        q = q.transpose(1, 2)
        att = (q @ k.transpose(-1, -2)) * (1.0 / math.sqrt(cfg.hd))
        att = torch.softmax(att + mask[:T, :T], dim=-1)
        o = (att @ v).transpose(1, 2).reshape(B, T, cfg.heads * cfg.hd)
        x = x + self.wo(o)
        h = self.ffn_norm(x)
        return x + self.w2(F.silu(self.w1(h)) * self.w3(h))


class Llama(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.cfg = cfg
        self.tok = nn.Embedding(cfg.vocab, cfg.dim)
        self.blocks = nn.ModuleList(Block(cfg) for _ in range(cfg.layers))
        self.norm = RMSNorm(cfg.dim, cfg.eps)
        self.output = nn.Linear(cfg.dim, cfg.vocab, bias=False)
        cos, sin = rope_tables(cfg, cfg.ctx)
        self.register_buffer("cos", cos, persistent=False)
        self.register_buffer("sin", sin, persistent=False)
        mask = torch.full((cfg.ctx, cfg.ctx), float("-inf")).triu(1)
        self.register_buffer("mask", mask, persistent=False)
        for n, p in self.named_parameters():
            if p.dim() == 2:
                std = 0.02
                if n.endswith("wo.weight") or n.endswith("w2.weight"):
                    std /= math.sqrt(2 * cfg.layers)
                nn.init.normal_(p, 0.0, std)

    def forward(self, idx):
        T = idx.shape[1]
        x = self.tok(idx)
        for b in self.blocks:
            x = b(x, self.cos[:T], self.sin[:T], self.mask)
        return self.output(self.norm(x))


# ---------------------------------------------------------------------------
# Export

def gguf_tensors(model):
    """(gguf name, numpy array, is_matrix) in llama.cpp's names."""
    sd = {k: v.detach().float().numpy() for k, v in
          model.state_dict().items()}
    out = [("token_embd.weight", sd["tok.weight"], True)]
    for i in range(model.cfg.layers):
        p = "blocks.%d." % i
        b = "blk.%d." % i
        for ours, theirs in (("attn_norm.weight", "attn_norm.weight"),
                             ("wq.weight", "attn_q.weight"),
                             ("wk.weight", "attn_k.weight"),
                             ("wv.weight", "attn_v.weight"),
                             ("wo.weight", "attn_output.weight"),
                             ("ffn_norm.weight", "ffn_norm.weight"),
                             ("w1.weight", "ffn_gate.weight"),
                             ("w3.weight", "ffn_up.weight"),
                             ("w2.weight", "ffn_down.weight")):
            a = sd[p + ours]
            out.append((b + theirs, a, a.ndim == 2))
    out.append(("output_norm.weight", sd["norm.weight"], False))
    out.append(("output.weight", sd["output.weight"], True))
    return out


def export_gguf(path, model, tok, name, description):
    cfg = model.cfg
    w = gw.GGUFWriter()
    w.add_string("general.architecture", "llama")
    w.add_string("general.name", name)
    w.add_string("general.description", description)
    w.add_uint32("general.file_type", 1)        # mostly f16
    w.add_uint32("llama.context_length", cfg.ctx)
    w.add_uint32("llama.embedding_length", cfg.dim)
    w.add_uint32("llama.block_count", cfg.layers)
    w.add_uint32("llama.feed_forward_length", cfg.hidden)
    w.add_uint32("llama.attention.head_count", cfg.heads)
    w.add_uint32("llama.attention.head_count_kv", cfg.kv_heads)
    w.add_uint32("llama.rope.dimension_count", cfg.hd)
    w.add_float32("llama.rope.freq_base", cfg.theta)
    w.add_float32("llama.attention.layer_norm_rms_epsilon", cfg.eps)
    w.add_uint32("llama.vocab_size", cfg.vocab)
    w.add_string("tokenizer.ggml.model", "llama")
    w.add_array("tokenizer.ggml.tokens", gw.T_STRING, tok.tokens)
    w.add_array("tokenizer.ggml.scores", gw.T_FLOAT32, tok.scores)
    w.add_array("tokenizer.ggml.token_type", gw.T_INT32, tok.types)
    w.add_uint32("tokenizer.ggml.bos_token_id", BOS)
    w.add_uint32("tokenizer.ggml.eos_token_id", EOS)
    w.add_uint32("tokenizer.ggml.unknown_token_id", UNK)
    w.add_bool("tokenizer.ggml.add_bos_token", True)
    w.add_bool("tokenizer.ggml.add_eos_token", False)
    w.add_bool("tokenizer.ggml.add_space_prefix", True)
    for n, a, is_matrix in gguf_tensors(model):
        w.add_tensor(n, a, gw.GGML_F16 if is_matrix else gw.GGML_F32)
    w.write(path)


def model_from_gguf(path):
    """A float32 Llama holding the file's (f16-rounded) weights."""
    meta, t = gw.read_gguf(path)
    cfg = Config(vocab=len(meta["tokenizer.ggml.tokens"]),
                 dim=meta["llama.embedding_length"],
                 layers=meta["llama.block_count"],
                 heads=meta["llama.attention.head_count"],
                 kv_heads=meta["llama.attention.head_count_kv"],
                 hidden=meta["llama.feed_forward_length"],
                 ctx=meta["llama.context_length"],
                 theta=meta["llama.rope.freq_base"],
                 eps=meta["llama.attention.layer_norm_rms_epsilon"])
    m = Llama(cfg)
    names = {n: None for n, _, _ in gguf_tensors(m)}
    sd = m.state_dict()
    inv = {}
    for i in range(cfg.layers):
        for ours, theirs in (("attn_norm.weight", "attn_norm.weight"),
                             ("wq.weight", "attn_q.weight"),
                             ("wk.weight", "attn_k.weight"),
                             ("wv.weight", "attn_v.weight"),
                             ("wo.weight", "attn_output.weight"),
                             ("ffn_norm.weight", "ffn_norm.weight"),
                             ("w1.weight", "ffn_gate.weight"),
                             ("w3.weight", "ffn_up.weight"),
                             ("w2.weight", "ffn_down.weight")):
            inv["blk.%d.%s" % (i, theirs)] = "blocks.%d.%s" % (i, ours)
    inv.update({"token_embd.weight": "tok.weight",
                "output_norm.weight": "norm.weight",
                "output.weight": "output.weight"})
    assert set(names) == set(t) == set(inv)
    for n, a in t.items():
        sd[inv[n]] = torch.from_numpy(a.astype(np.float32))
    m.load_state_dict(sd)
    m.eval()
    tok = Tokenizer(list(meta["tokenizer.ggml.tokens"]),
                    [float(s) for s in meta["tokenizer.ggml.scores"]],
                    [int(x) for x in meta["tokenizer.ggml.token_type"]])
    return m, tok, meta


# ---------------------------------------------------------------------------
# Generation (float32, the whole sequence each step: no cache to get wrong)

@torch.no_grad()
def generate(model, ids, n, temperature=0.0, top_p=1.0, gen=None,
             stop_eos=False):
    ids = list(ids)
    margins = []
    for _ in range(n):
        ctx = ids[-model.cfg.ctx:]
        logits = model(torch.tensor([ctx]))[0, -1].double()
        if temperature <= 0:
            top2 = torch.topk(logits, 2)
            nxt = int(top2.indices[0])
            margins.append(float(top2.values[0] - top2.values[1]))
        else:
            p = torch.softmax(logits / temperature, -1)
            sp, si = torch.sort(p, descending=True)
            keep = (torch.cumsum(sp, 0) - sp) < top_p
            sp = sp * keep
            nxt = int(si[torch.multinomial(sp / sp.sum(), 1,
                                           generator=gen)])
        ids.append(nxt)
        if stop_eos and nxt == EOS:
            break
    return ids, margins


# ---------------------------------------------------------------------------
# Training

def batches(stream, cfg, batch, gen):
    n = len(stream) - cfg.ctx - 1
    while True:
        off = torch.randint(0, n, (batch,), generator=gen)
        x = torch.stack([stream[o:o + cfg.ctx + 1] for o in off.tolist()])
        yield x[:, :-1], x[:, 1:]


@torch.no_grad()
def evaluate(model, stream, cfg, max_windows=32):
    """Mean loss over non-overlapping windows of the held-out stream."""
    was = model.training
    model.eval()
    offs = list(range(0, len(stream) - cfg.ctx - 1, cfg.ctx))[:max_windows]
    total = 0.0
    for i in range(0, len(offs), 16):
        x = torch.stack([stream[o:o + cfg.ctx + 1] for o in offs[i:i + 16]])
        logits = model(x[:, :-1])
        total += F.cross_entropy(logits.reshape(-1, cfg.vocab),
                                 x[:, 1:].reshape(-1),
                                 reduction="sum").item()
    model.train(was)
    return total / (len(offs) * cfg.ctx)


def lr_at(step, args):
    if step < args.warmup:
        return args.lr * (step + 1) / args.warmup
    f = (step - args.warmup) / max(1, args.steps - args.warmup)
    return args.min_lr + 0.5 * (args.lr - args.min_lr) * (
        1 + math.cos(math.pi * min(1.0, f)))


def train(model, train_stream, val_stream, args, ckpt_path, state):
    cfg = model.cfg
    decay = [p for p in model.parameters() if p.dim() == 2]
    no_decay = [p for p in model.parameters() if p.dim() < 2]
    opt = torch.optim.AdamW([{"params": decay,
                              "weight_decay": args.weight_decay},
                             {"params": no_decay, "weight_decay": 0.0}],
                            lr=args.lr, betas=(0.9, 0.95))
    gen = torch.Generator().manual_seed(args.seed + 1)
    step = 0
    if state:
        model.load_state_dict(state["model"])
        opt.load_state_dict(state["opt"])
        gen.set_state(state["gen"])
        step = state["step"]
        log("resumed at step %d" % step)
    hist = state["hist"] if state else []
    spent = state["train_seconds"] if state else 0.0
    it = batches(train_stream, cfg, args.batch, gen)
    model.train()
    t0, run_loss = time.time(), None
    while step < args.steps:
        for g in opt.param_groups:
            g["lr"] = lr_at(step, args)
        x, y = next(it)
        loss = F.cross_entropy(model(x).reshape(-1, cfg.vocab),
                               y.reshape(-1))
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        step += 1
        lv = loss.item()
        run_loss = lv if run_loss is None else 0.98 * run_loss + 0.02 * lv
        if step % args.log_every == 0 or step == args.steps:
            el = spent + time.time() - t0
            log("step %d/%d loss %.4f (avg %.4f) lr %.2e  %.1f min, "
                "%.0f tok/s" % (step, args.steps, lv, run_loss,
                                lr_at(step, args), el / 60,
                                step * args.batch * cfg.ctx / el))
        if step % args.eval_every == 0 or step == args.steps:
            vl = evaluate(model, val_stream, cfg)
            hist.append({"step": step, "train_loss_avg": run_loss,
                         "val_loss": vl,
                         "minutes": (spent + time.time() - t0) / 60})
            log("step %d val loss %.4f" % (step, vl))
        if step % args.ckpt_every == 0 or step == args.steps:
            st = {"model": model.state_dict(), "opt": opt.state_dict(),
                  "gen": gen.get_state(), "step": step, "hist": hist,
                  "train_seconds": spent + time.time() - t0,
                  "cfg": cfg.as_dict(), "args": vars(args)}
            torch.save(st, ckpt_path + ".tmp")
            os.replace(ckpt_path + ".tmp", ckpt_path)
    return hist, spent + time.time() - t0


# ---------------------------------------------------------------------------

def main():
    here = os.path.dirname(os.path.abspath(__file__))
    top = os.path.dirname(os.path.dirname(here))
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", default=os.path.join(top, "models",
                                                  "edna-kjv.gguf"))
    ap.add_argument("--expected", default=None,
                    help="default: OUT with .expected for .gguf")
    ap.add_argument("--work", default=os.path.join(top, "build", "train"))
    ap.add_argument("--corpus", help="a `bible -f` dump instead of "
                    "running bible")
    ap.add_argument("--vocab", type=int, default=1024)
    ap.add_argument("--dim", type=int, default=192)
    ap.add_argument("--layers", type=int, default=4)
    ap.add_argument("--heads", type=int, default=6)
    ap.add_argument("--kv-heads", type=int, default=2)
    ap.add_argument("--hidden", type=int, default=512)
    ap.add_argument("--ctx", type=int, default=256)
    ap.add_argument("--batch", type=int, default=8)
    ap.add_argument("--steps", type=int, default=1700)
    ap.add_argument("--lr", type=float, default=1.5e-3)
    ap.add_argument("--min-lr", type=float, default=1e-4)
    ap.add_argument("--warmup", type=int, default=60)
    ap.add_argument("--weight-decay", type=float, default=0.1)
    ap.add_argument("--seed", type=int, default=1611)
    ap.add_argument("--threads", type=int, default=1,
                    help="OpenMP and OpenBLAS threads (read before torch "
                    "starts; the environment's settings win)")
    ap.add_argument("--log-every", type=int, default=25)
    ap.add_argument("--eval-every", type=int, default=200)
    ap.add_argument("--ckpt-every", type=int, default=100)
    ap.add_argument("--export-only", action="store_true",
                    help="export the finished checkpoint, do not train")
    ap.add_argument("--bench", type=int, default=0,
                    help="time this many steps and exit")
    ap.add_argument("--prompt", default="In the beginning")
    ap.add_argument("--expected-tokens", type=int, default=32)
    args = ap.parse_args()
    expected = args.expected or re.sub(r"\.gguf$", "", args.out) + \
        ".expected"

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    os.makedirs(args.work, exist_ok=True)
    t_start = time.time()

    chapters = load_chapters(args.corpus)
    log("corpus: %d chapters, %d characters" %
        (len(chapters), sum(len(c) + 1 for c in chapters)))

    tok_path = os.path.join(args.work, "tokenizer-%d.json" % args.vocab)
    if os.path.exists(tok_path):
        with open(tok_path) as f:
            j = json.load(f)
        tok = Tokenizer(j["tokens"], j["scores"], j["types"])
        tok_seconds = j.get("seconds", 0.0)
    else:
        t0 = time.time()
        tok = Tokenizer.train(chapters, args.vocab)
        tok_seconds = time.time() - t0
        j = tok.to_json()
        j["seconds"] = tok_seconds
        with open(tok_path, "w") as f:
            json.dump(j, f)
        log("tokenizer: %d tokens in %.0f s" % (len(tok.tokens),
                                                tok_seconds))
    check_tokenizer(tok, chapters)
    if len(tok.tokens) != args.vocab:
        raise SystemExit("vocabulary came out at %d" % len(tok.tokens))

    # documents: <s> chapter </s>; every 50th chapter is held out
    train_ids, val_ids = [], []
    for i, c in enumerate(chapters):
        doc = [BOS] + tok.encode(c) + [EOS]
        (val_ids if i % 50 == 25 else train_ids).extend(doc)
    n_chars = sum(len(c) for c in chapters)
    log("encoded: %d train + %d val tokens, %.2f characters/token" %
        (len(train_ids), len(val_ids),
         n_chars / (len(train_ids) + len(val_ids))))
    train_stream = torch.tensor(train_ids, dtype=torch.long)
    val_stream = torch.tensor(val_ids, dtype=torch.long)

    cfg = Config(vocab=args.vocab, dim=args.dim, layers=args.layers,
                 heads=args.heads, kv_heads=args.kv_heads,
                 hidden=args.hidden, ctx=args.ctx)
    model = Llama(cfg)
    n_params = sum(p.numel() for p in model.parameters())
    log("model: %s, %.2f M parameters" % (cfg.as_dict(), n_params / 1e6))

    if args.bench:
        args.steps = args.bench
        args.log_every = max(1, args.bench // 4)
        args.eval_every = args.ckpt_every = 10 ** 9
        t0 = time.time()
        train(model, train_stream, val_stream, args,
              os.path.join(args.work, "bench.pt"), None)
        dt = time.time() - t0
        log("bench: %.2f s/step, %.0f tokens/s" %
            (dt / args.bench, args.bench * args.batch * cfg.ctx / dt))
        return

    ckpt = os.path.join(args.work, "ckpt.pt")
    state = torch.load(ckpt) if os.path.exists(ckpt) else None
    if state and state["cfg"] != cfg.as_dict():
        raise SystemExit("%s is of another model; remove it" % ckpt)
    if args.export_only:
        if not state or state["step"] < args.steps:
            raise SystemExit("no finished checkpoint in %s" % args.work)
        model.load_state_dict(state["model"])
        hist, train_seconds = state["hist"], state["train_seconds"]
    else:
        hist, train_seconds = train(model, train_stream, val_stream, args,
                                    ckpt, state)
    model.eval()

    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    desc = ("llama-style decoder trained by edna's tools/train/train.py on "
            "the King James Bible (public domain; Debian bible-kjv-text)")
    export_gguf(args.out, model, tok, "edna-kjv", desc)
    log("wrote %s: %d bytes" % (args.out, os.path.getsize(args.out)))

    # Everything from here on uses the exported file's weights.
    fm, ftok, meta = model_from_gguf(args.out)
    assert ftok.tokens == tok.tokens and ftok.scores == tok.scores
    full_val = evaluate(fm, val_stream, cfg, max_windows=10 ** 9)
    log("val loss of the exported (f16) weights: %.4f" % full_val)

    prompt_ids = [BOS] + ftok.encode(args.prompt)
    ids, margins = generate(fm, prompt_ids, args.expected_tokens)
    new = ids[len(prompt_ids):]
    with open(expected, "w") as f:
        f.write("# edna-kjv.gguf greedy reference: PyTorch, float32, from "
                "the file's weights,\n# the whole sequence recomputed each "
                "step (tools/train/train.py).\n")
        f.write("# margin: top-1 minus top-2 logit at each step; a small one"
                " may flip\n# under another summation order.\n")
        f.write("prompt: %s\n" % args.prompt)
        f.write("prompt_ids: %s\n" % " ".join(map(str, prompt_ids)))
        f.write("n_tokens: %d\n" % len(new))
        f.write("ids: %s\n" % " ".join(map(str, new)))
        f.write("margins: %s\n" % " ".join("%.3f" % m for m in margins))
        f.write("text: %s\n" % ftok.decode(ids))
    log("greedy: %s" % ftok.decode(ids))
    log("smallest greedy margin: %.3f" % min(margins))

    gen = torch.Generator().manual_seed(args.seed)
    samples = []
    for p in ("In the beginning", "And Jesus said unto them,",
              "The LORD is my shepherd;", "Blessed are"):
        s, _ = generate(fm, [BOS] + ftok.encode(p), 120, temperature=0.8,
                        top_p=0.95, gen=gen, stop_eos=True)
        samples.append(ftok.decode(s))
        log("sample: %s" % samples[-1])

    report = {
        "config": cfg.as_dict(), "parameters": n_params,
        "train": {k: getattr(args, k) for k in
                  ("batch", "steps", "lr", "min_lr", "warmup",
                   "weight_decay", "seed", "threads")},
        "train_tokens": len(train_ids), "val_tokens": len(val_ids),
        "tokenizer_seconds": round(tok_seconds, 1),
        "train_minutes": round(train_seconds / 60, 1),
        "history": hist, "val_loss_exported": full_val,
        "file_bytes": os.path.getsize(args.out),
        "greedy": ftok.decode(ids), "samples": samples,
        "torch": torch.__version__, "numpy": np.__version__,
        "wall_minutes_this_run": round((time.time() - t_start) / 60, 1),
    }
    with open(os.path.join(args.work, "report.json"), "w") as f:
        json.dump(report, f, indent=1)
    log("report in %s" % os.path.join(args.work, "report.json"))


if __name__ == "__main__":
    main()
