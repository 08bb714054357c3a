"""Fashion-MNIST from its IDX files: seeded train/validation split, resize to the network's
resolution (once, rounded to uint8, so the float and the int8 network see the same pixels), and
seeded augmentation of training batches."""
import gzip
import os
import struct

import torch
import torch.nn.functional as F

FILES = {
    "train": ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"),
    "test": ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"),
}


class DataError(Exception):
    """The data set cannot be read (missing or malformed files)."""


def _read_idx(path, rank):
    try:
        with gzip.open(path, "rb") as f:
            raw = f.read()
    except OSError as e:
        raise DataError(f"Cannot read {path}: {e}") from e
    magic, = struct.unpack(">I", raw[:4])
    if magic != 0x800 + rank:
        raise DataError(f"Cannot read {path}: not an IDX file of rank {rank} (magic {magic:#x})")
    dims = struct.unpack(">" + "I" * rank, raw[4:4 + 4 * rank])
    body = raw[4 + 4 * rank:]
    count = 1
    for d in dims:
        count *= d
    if len(body) != count:
        raise DataError(f"Cannot read {path}: {len(body)} bytes of data, the header says {count}")
    return torch.frombuffer(bytearray(body), dtype=torch.uint8).reshape(dims)


def load_split(folder, split):
    """Images [N, 28, 28] uint8 and labels [N] int64 of 'train' or 'test'."""
    images_file, labels_file = FILES[split]
    images = _read_idx(os.path.join(folder, images_file), 3)
    labels = _read_idx(os.path.join(folder, labels_file), 1).long()
    if images.shape[0] != labels.shape[0]:
        raise DataError(f"Cannot use the {split} split: {images.shape[0]} images, {labels.shape[0]} labels")
    return images, labels


def resize(images, resolution):
    """[N, H, W] uint8 -> [N, 1, R, R] uint8 (bilinear, antialiased when shrinking, rounded)."""
    x = images.unsqueeze(1).float()
    if images.shape[-1] != resolution:
        x = F.interpolate(x, size=(resolution, resolution), mode="bilinear", align_corners=False,
                          antialias=resolution < images.shape[-1])
    return x.round().clamp(0, 255).to(torch.uint8)


def normalize(pixels):
    """uint8 pixels -> the real values the int8 graph input means: (p - 128) / 128 (scale 1/128,
    zero point 0, so the int8 input is exactly p - 128)."""
    return (pixels.float() - 128.0) / 128.0


def split_train(count, validation, seed):
    """Seeded permutation of the training set: (train indices, validation indices)."""
    g = torch.Generator().manual_seed(seed)
    perm = torch.randperm(count, generator=g)
    return perm[validation:], perm[:validation]


def augment(batch, generator, pad):
    """Random shift by up to `pad` pixels (zero = background fill) and random horizontal flip of a
    [B, 1, R, R] uint8 batch, drawn from `generator`."""
    b, _, r, _ = batch.shape
    if pad > 0:
        padded = F.pad(batch, (pad, pad, pad, pad))
        oy = torch.randint(0, 2 * pad + 1, (b,), generator=generator)
        ox = torch.randint(0, 2 * pad + 1, (b,), generator=generator)
        ar = torch.arange(r)
        rows = (oy[:, None] + ar)[:, :, None]
        cols = (ox[:, None] + ar)[:, None, :]
        batch = padded[torch.arange(b)[:, None, None], 0, rows, cols].unsqueeze(1)
    flip = torch.rand(b, generator=generator) < 0.5
    return torch.where(flip[:, None, None, None], batch.flip(-1), batch)


def epoch_batches(images, labels, batch_size, generator, pad, shuffle_augment=True):
    """One epoch of training batches: a seeded shuffle, then per batch the seeded augmentation
    (when `shuffle_augment` and `pad` say so), normalized and channels-last. Yields
    (step in epoch, inputs, labels); the last partial batch is dropped. Both workers draw from
    `generator` in this one order, so a seed gives the same batches in either."""
    perm = torch.randperm(images.shape[0], generator=generator)
    for s in range(images.shape[0] // batch_size):
        idx = perm[s * batch_size:(s + 1) * batch_size]
        xb = images[idx]
        if shuffle_augment:
            xb = augment(xb, generator, pad)
        yield s, normalize(xb).contiguous(memory_format=torch.channels_last), labels[idx]
