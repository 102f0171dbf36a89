# SPDX-License-Identifier: GPL-2.0
"""A small GGUF version 3 writer (and a reader to check what it wrote).

Written from the GGUF specification, with nothing but the standard library
and numpy.  The file is, all little endian:

  header        "GGUF", u32 version (3), u64 tensor count, u64 KV count
  metadata      per KV: string key, u32 value type, value
  tensor infos  per tensor: string name, u32 n_dims, u64 ne[n_dims],
                u32 ggml type, u64 offset (from the start of the data
                section, a multiple of the alignment)
  padding       zero bytes up to a multiple of general.alignment (32)
  data          each tensor's bytes, each padded to the alignment

A string is a u64 byte length and UTF-8 bytes, no terminator.  An array
value is u32 element type, u64 count, then the elements.  ne[0] is the
contiguous dimension: a row-major [rows x cols] matrix has ne = [cols,
rows].
"""

import struct

import numpy as np

GGUF_MAGIC = b"GGUF"
GGUF_VERSION = 3
DEFAULT_ALIGNMENT = 32

# Metadata value types
T_UINT8, T_INT8, T_UINT16, T_INT16 = 0, 1, 2, 3
T_UINT32, T_INT32, T_FLOAT32, T_BOOL = 4, 5, 6, 7
T_STRING, T_ARRAY, T_UINT64, T_INT64, T_FLOAT64 = 8, 9, 10, 11, 12

_SCALAR_FMT = {
    T_UINT8: "<B", T_INT8: "<b", T_UINT16: "<H", T_INT16: "<h",
    T_UINT32: "<I", T_INT32: "<i", T_FLOAT32: "<f", T_BOOL: "<?",
    T_UINT64: "<Q", T_INT64: "<q", T_FLOAT64: "<d",
}
_NP_DTYPE = {
    T_UINT8: "<u1", T_INT8: "<i1", T_UINT16: "<u2", T_INT16: "<i2",
    T_UINT32: "<u4", T_INT32: "<i4", T_FLOAT32: "<f4", T_BOOL: "<u1",
    T_UINT64: "<u8", T_INT64: "<i8", T_FLOAT64: "<f8",
}

# ggml tensor types this writer produces
GGML_F32, GGML_F16, GGML_Q8_0 = 0, 1, 8
QK8_0 = 32          # elements of a q8_0 block: f16 scale + 32 int8


def _str(s):
    b = s.encode("utf-8")
    return struct.pack("<Q", len(b)) + b


def _pad(n, align):
    return (align - n % align) % align


def quantize_q8_0(a):
    """GGML's Q8_0 of a float array whose last dim is a multiple of 32:
    per block d = max|x| / 127 (stored f16), q = round(x / d)."""
    x = np.asarray(a, dtype=np.float32).reshape(-1, QK8_0)
    amax = np.abs(x).max(axis=1, keepdims=True)
    d = amax / 127.0
    inv = np.where(d != 0, 1.0 / np.where(d != 0, d, 1), 0.0)
    v = x * inv.astype(np.float32)
    q = (np.sign(v) * np.floor(np.abs(v) + 0.5)).astype(np.int8)  # roundf
    out = np.zeros(x.shape[0], dtype=[("d", "<f2"), ("q", "i1", QK8_0)])
    out["d"] = d[:, 0].astype(np.float16)
    out["q"] = q
    return out.tobytes()


class GGUFWriter:
    def __init__(self, alignment=DEFAULT_ALIGNMENT):
        self.alignment = alignment
        self.kv = []            # (key, encoded type+value)
        self.keys = set()
        self.tensors = []       # (name, ne list, ggml type, bytes)
        self.add_uint32("general.alignment", alignment)

    # metadata -----------------------------------------------------------
    def _add(self, key, payload):
        if key in self.keys:
            raise ValueError("duplicate GGUF key %r" % key)
        self.keys.add(key)
        self.kv.append((key, payload))

    def add_scalar(self, key, vtype, value):
        self._add(key, struct.pack("<I", vtype) +
                  struct.pack(_SCALAR_FMT[vtype], value))

    def add_uint32(self, key, v):
        self.add_scalar(key, T_UINT32, v)

    def add_int32(self, key, v):
        self.add_scalar(key, T_INT32, v)

    def add_float32(self, key, v):
        self.add_scalar(key, T_FLOAT32, v)

    def add_bool(self, key, v):
        self.add_scalar(key, T_BOOL, bool(v))

    def add_string(self, key, s):
        self._add(key, struct.pack("<I", T_STRING) + _str(s))

    def add_array(self, key, etype, values):
        head = struct.pack("<IIQ", T_ARRAY, etype, len(values))
        if etype == T_STRING:
            body = b"".join(_str(v) for v in values)
        elif etype == T_ARRAY:
            raise ValueError("nested arrays are not written")
        else:
            body = np.asarray(values, dtype=_NP_DTYPE[etype]).tobytes()
        self._add(key, head + body)

    # tensors ------------------------------------------------------------
    def add_tensor(self, name, array, ggml_type):
        """array: numpy, row major; stored with ne reversed from shape."""
        a = np.ascontiguousarray(array)
        ne = list(reversed(a.shape))
        if ggml_type == GGML_F32:
            data = a.astype("<f4").tobytes()
        elif ggml_type == GGML_F16:
            data = a.astype("<f2").tobytes()
        elif ggml_type == GGML_Q8_0:
            if ne[0] % QK8_0:
                raise ValueError("%s: row of %d is not a multiple of 32"
                                 % (name, ne[0]))
            data = quantize_q8_0(a)
        else:
            raise ValueError("unsupported ggml type %d" % ggml_type)
        if any(t[0] == name for t in self.tensors):
            raise ValueError("duplicate tensor %r" % name)
        self.tensors.append((name, ne, ggml_type, data))

    # output -------------------------------------------------------------
    def tobytes(self):
        out = bytearray()
        out += GGUF_MAGIC
        out += struct.pack("<IQQ", GGUF_VERSION, len(self.tensors),
                           len(self.kv))
        for key, payload in self.kv:
            out += _str(key) + payload
        offset = 0
        for name, ne, gtype, data in self.tensors:
            out += _str(name) + struct.pack("<I", len(ne))
            out += struct.pack("<%dQ" % len(ne), *ne)
            out += struct.pack("<IQ", gtype, offset)
            offset += len(data) + _pad(len(data), self.alignment)
        out += b"\0" * _pad(len(out), self.alignment)
        for name, ne, gtype, data in self.tensors:
            out += data
            out += b"\0" * _pad(len(data), self.alignment)
        return bytes(out)

    def write(self, path):
        with open(path, "wb") as f:
            f.write(self.tobytes())


# A reader, to check the writer's output (not a general GGUF loader) -------

class _Cursor:
    def __init__(self, buf):
        self.buf, self.pos = buf, 0

    def take(self, fmt):
        v = struct.unpack_from(fmt, self.buf, self.pos)
        self.pos += struct.calcsize(fmt)
        return v[0] if len(v) == 1 else v

    def string(self):
        n = self.take("<Q")
        s = self.buf[self.pos:self.pos + n].decode("utf-8")
        self.pos += n
        return s


def _read_value(c, vtype):
    if vtype == T_STRING:
        return c.string()
    if vtype == T_ARRAY:
        etype, n = c.take("<I"), c.take("<Q")
        if etype == T_STRING:
            return [c.string() for _ in range(n)]
        dt = np.dtype(_NP_DTYPE[etype])
        a = np.frombuffer(c.buf, dtype=dt, count=n, offset=c.pos)
        c.pos += n * dt.itemsize
        return a.copy()
    return c.take(_SCALAR_FMT[vtype])


def read_gguf(path):
    """Return (metadata dict, {name: numpy array (dequantised f32/f16)})."""
    with open(path, "rb") as f:
        buf = f.read()
    c = _Cursor(buf)
    if buf[:4] != GGUF_MAGIC:
        raise ValueError("%s: not GGUF" % path)
    c.pos = 4
    version, n_tensors, n_kv = c.take("<IQQ")
    if version != GGUF_VERSION:
        raise ValueError("%s: version %d" % (path, version))
    meta = {}
    for _ in range(n_kv):
        key = c.string()
        meta[key] = _read_value(c, c.take("<I"))
    align = int(meta.get("general.alignment", DEFAULT_ALIGNMENT))
    infos = []
    for _ in range(n_tensors):
        name = c.string()
        nd = c.take("<I")
        ne = [c.take("<Q") for _ in range(nd)]
        gtype, off = c.take("<IQ")
        infos.append((name, ne, gtype, off))
    base = c.pos + _pad(c.pos, align)
    tensors = {}
    for name, ne, gtype, off in infos:
        if off % align:
            raise ValueError("%s: %s misaligned" % (path, name))
        n = int(np.prod(ne))
        shape = tuple(reversed(ne))
        if gtype == GGML_F32:
            a = np.frombuffer(buf, "<f4", n, base + off)
        elif gtype == GGML_F16:
            a = np.frombuffer(buf, "<f2", n, base + off)
        elif gtype == GGML_Q8_0:
            blk = np.dtype([("d", "<f2"), ("q", "i1", QK8_0)])
            b = np.frombuffer(buf, blk, n // QK8_0, base + off)
            a = (b["d"].astype(np.float32)[:, None] *
                 b["q"].astype(np.float32)).reshape(-1)
        else:
            raise ValueError("%s: %s: type %d" % (path, name, gtype))
        tensors[name] = a.reshape(shape)
    return meta, tensors
