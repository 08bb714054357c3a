"""Training worker of `deno task mcu train`: reads one JSON job (path in argv[1]), trains the
MbconvArch on Fashion-MNIST with the job's recipe and seed, and writes into the job's out folder:

- weights.bin: BN-folded float32 little-endian weights and biases of every layer, graph order;
- result.json: the layer table (name, kind, shape, offsets into weights.bin), per-tensor
  activation ranges on calibration images, float accuracies, throughput and wall times;
- test_images.bin / test_labels.bin: the test images at the network's resolution (uint8) and
  their labels, so the int8 evaluation sees exactly the pixels the float one saw.

Progress goes to stderr as JSON lines ({"event": ...}). Errors: one JSON line with
"event": "error" and exit code 2 (bad job or data) or 1 (anything else).
"""
import json
import math
import os
import sys
import time

import torch
import torch.nn.functional as F

import data
import net as netlib


def emit(event, **fields):
    sys.stderr.write(json.dumps({"event": event, **fields}) + "\n")
    sys.stderr.flush()


def configure(threads, seed):
    torch.set_num_threads(threads)
    # Denormals from Adam's second moments slowed training 40x when not flushed (measured).
    torch.set_flush_denormal(True)
    torch.manual_seed(seed)
    torch.use_deterministic_algorithms(True)


def evaluate(model, images, labels, batch=500, eval_mode=None):
    """Top-1 accuracy of `model` (a module, or a function with `eval_mode` to switch its module to
    evaluation) on uint8 images [N, 1, R, R]."""
    (eval_mode or model.eval)()
    correct = 0
    with torch.no_grad():
        for i in range(0, images.shape[0], batch):
            x = data.normalize(images[i:i + batch]).contiguous(memory_format=torch.channels_last)
            correct += (model(x).argmax(1) == labels[i:i + batch]).sum().item()
    return correct / max(images.shape[0], 1)


def calibrate(model, images):
    """Per-tensor (min, max) of every recorded activation over `images` (eval mode)."""
    ranges = {}

    def record(name, t):
        lo, hi = t.min().item(), t.max().item()
        old = ranges.get(name)
        ranges[name] = (lo, hi) if old is None else (min(old[0], lo), max(old[1], hi))

    model.eval()
    with torch.no_grad():
        for i in range(0, images.shape[0], 500):
            x = data.normalize(images[i:i + 500]).contiguous(memory_format=torch.channels_last)
            model(x, record)
    return {k: {"min": v[0], "max": v[1]} for k, v in ranges.items()}


def make_optimizer(model, recipe):
    decay, no_decay = [], []
    for name, p in model.named_parameters():
        (no_decay if p.ndim <= 1 else decay).append(p)
    groups = [{"params": decay, "weight_decay": recipe["weightDecay"]},
              {"params": no_decay, "weight_decay": 0.0}]
    if recipe["optimizer"] == "adamw":
        return torch.optim.AdamW(groups, lr=recipe["learningRate"])
    if recipe["optimizer"] == "sgd":
        return torch.optim.SGD(groups, lr=recipe["learningRate"], momentum=0.9, nesterov=True)
    raise ValueError(f"Cannot train: unknown optimizer '{recipe['optimizer']}'")


def learning_rate(step, total, recipe):
    """Linear warm-up, then cosine decay to zero."""
    warm = min(recipe["warmupSteps"], max(total // 10, 1))
    if step < warm:
        return recipe["learningRate"] * (step + 1) / warm
    t = (step - warm) / max(total - warm, 1)
    return recipe["learningRate"] * 0.5 * (1 + math.cos(math.pi * t))


def train(job):
    started = time.time()
    recipe, seed, arch = job["recipe"], job["seed"], job["arch"]
    configure(job.get("threads", 2), seed)
    res = arch["resolution"]
    train_images, train_labels = data.load_split(job["dataDir"], "train")
    test_images, test_labels = data.load_split(job["dataDir"], "test")
    train_idx, val_idx = data.split_train(train_images.shape[0], job["validationImages"], job["splitSeed"])
    if job.get("trainImages"):
        train_idx = train_idx[:job["trainImages"]]
    if job.get("testImages"):
        test_images, test_labels = test_images[:job["testImages"]], test_labels[:job["testImages"]]
    tr_x = data.resize(train_images[train_idx], res)
    tr_y = train_labels[train_idx]
    va_x = data.resize(train_images[val_idx], res)
    va_y = train_labels[val_idx]
    te_x = data.resize(test_images, res)

    if job.get("inherit"):
        # Fine-tuning a searched subnet: start from the super-network's weights for it.
        import supernet
        model = supernet.extract(supernet.load(job["inherit"]["checkpoint"]), arch, job["inherit"]["depths"])
    else:
        model = netlib.MbconvNet(arch)
    model = model.to(memory_format=torch.channels_last)
    params = sum(p.numel() for p in model.parameters())
    opt = make_optimizer(model, recipe)
    gen = torch.Generator().manual_seed(seed)
    batch = recipe["batchSize"]
    steps_per_epoch = tr_x.shape[0] // batch
    total = steps_per_epoch * recipe["epochs"]
    pad = max(res // 14, 1) if recipe["augment"] else 0
    emit("start", trainImages=int(tr_x.shape[0]), validationImages=int(va_x.shape[0]),
         testImages=int(te_x.shape[0]), parameters=params, steps=total)
    step = 0
    train_seconds = 0.0
    for epoch in range(recipe["epochs"]):
        model.train()
        t0 = time.time()
        loss_sum = 0.0
        for s, x, yb in data.epoch_batches(tr_x, tr_y, batch, gen, pad, recipe["augment"]):
            for g in opt.param_groups:
                g["lr"] = learning_rate(step, total, recipe)
            loss = F.cross_entropy(model(x), yb, label_smoothing=recipe["labelSmoothing"])
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            loss_sum += loss.item()
            step += 1
            if step % 50 == 0:
                emit("step", step=step, steps=total, loss=loss.item(),
                     imagesPerSecond=(s + 1) * batch / max(time.time() - t0, 1e-9))
        seconds = time.time() - t0
        train_seconds += seconds
        val = evaluate(model, va_x, va_y)
        emit("epoch", epoch=epoch + 1, epochs=recipe["epochs"], loss=loss_sum / max(steps_per_epoch, 1),
             validationAccuracy=val, seconds=seconds,
             imagesPerSecond=steps_per_epoch * batch / max(seconds, 1e-9))

    val_acc = evaluate(model, va_x, va_y)
    test_acc = evaluate(model, te_x, test_labels)
    cal_x = tr_x[torch.randperm(tr_x.shape[0], generator=gen)[:job["calibrationImages"]]]
    ranges = calibrate(model, cal_x)
    out = job["outDir"]
    layers = []
    offset = 0
    with open(os.path.join(out, "weights.bin"), "wb") as f:
        for name, kind, w, b in netlib.folded_layers(model):
            wb = w.float().numpy().astype("<f4").tobytes()
            bb = b.float().numpy().astype("<f4").tobytes()
            f.write(wb)
            f.write(bb)
            layers.append({"name": name, "kind": kind, "shape": list(w.shape),
                           "weightsOffset": offset, "biasOffset": offset + len(wb),
                           "channels": int(b.shape[0])})
            offset += len(wb) + len(bb)
    with open(os.path.join(out, "test_images.bin"), "wb") as f:
        f.write(te_x.numpy().tobytes())
    with open(os.path.join(out, "test_labels.bin"), "wb") as f:
        f.write(test_labels.to(torch.uint8).numpy().tobytes())
    result = {
        "layers": layers,
        "activationRanges": ranges,
        "floatValidationAccuracy": val_acc,
        "floatTestAccuracy": test_acc,
        "trainImages": int(tr_x.shape[0]),
        "validationImages": int(va_x.shape[0]),
        "testImages": int(te_x.shape[0]),
        "calibrationImages": int(cal_x.shape[0]),
        "parameters": params,
        "trainSeconds": train_seconds,
        "wallSeconds": time.time() - started,
        "imagesPerSecond": total * batch / max(train_seconds, 1e-9),
        "torchVersion": torch.__version__,
    }
    with open(os.path.join(out, "result.json"), "w") as f:
        json.dump(result, f, indent=1, sort_keys=True)
    emit("done", floatTestAccuracy=test_acc, floatValidationAccuracy=val_acc, wallSeconds=result["wallSeconds"])


def main():
    if len(sys.argv) != 2:
        emit("error", message="usage: train_worker.py JOB.json")
        return 2
    try:
        with open(sys.argv[1]) as f:
            job = json.load(f)
        train(job)
    except (data.DataError, KeyError, ValueError, OSError) as e:
        emit("error", message=f"{type(e).__name__}: {e}")
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
