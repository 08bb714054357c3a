"""Super-network worker of `mcu search --dataset` (MCUNet stage 2). Commands:

- `train JOB.json`: trains the super-network of the job's space with the sandwich rule (per step:
  the largest subnet on the labels, the smallest and `sandwichRandom` random ones distilled from
  the largest's outputs; one optimizer step on the summed gradients) and writes supernet.pt and
  result.json into the job's outDir.
- `serve JOB.json`: loads the checkpoint and the data once, then answers requests on stdin, one
  JSON line each ({"id": n, "subnets": [{"net": MbconvArch, "depths": [...]}, ...]}), with one
  JSON line on stdout ({"id": n, "accuracies": [...]}): each subnet's validation accuracy with
  the inherited weights after batch-norm recalibration on training images.
- `score JOB.json [--shard i/n]`: the same for the job's `subnets` list (every n-th from the
  i-th, 1-based), written to outDir/scores.<i>-of-<n>.json (fan-out on a batch system).

Progress and errors go to stderr as JSON lines, as in train_worker.py."""
import json
import os
import sys
import time

import torch
import torch.nn.functional as F

import data
import supernet as sn
from train_worker import configure, emit, evaluate, learning_rate, make_optimizer


def load_data(job, with_train):
    res = job["space"]["resolution"]
    images, labels = data.load_split(job["dataDir"], "train")
    train_idx, val_idx = data.split_train(images.shape[0], job["validationImages"], job["splitSeed"])
    if job.get("trainImages"):
        train_idx = train_idx[:job["trainImages"]]
    if not with_train:
        # Scoring needs only the recalibration images (the first ones of the seeded order).
        train_idx = train_idx[:job["recalibrationImages"]]
    va_idx = val_idx[:job["scoreImages"]] if job.get("scoreImages") else val_idx
    return (data.resize(images[train_idx], res), labels[train_idx],
            data.resize(images[va_idx], res), labels[va_idx])


def train(job):
    started = time.time()
    recipe, seed, space = job["recipe"], job["seed"], job["space"]
    configure(job.get("threads", 2), seed)
    tr_x, tr_y, va_x, va_y = load_data(job, True)
    model = sn.SuperNet(space).to(memory_format=torch.channels_last)
    opt = make_optimizer(model, recipe)
    gen = torch.Generator().manual_seed(seed)
    batch = recipe["batchSize"]
    steps_per_epoch = tr_x.shape[0] // batch
    total = steps_per_epoch * recipe["epochs"]
    pad = max(space["resolution"] // 14, 1) if recipe["augment"] else 0
    n_random = job.get("sandwichRandom", 2)
    emit("start", trainImages=int(tr_x.shape[0]), parameters=sum(p.numel() for p in model.parameters()),
         steps=total)
    step = 0
    train_seconds = 0.0
    for epoch in range(recipe["epochs"]):
        model.train()
        t0 = time.time()
        loss_sum = 0.0
        for s, x, yb in data.epoch_batches(tr_x, tr_y, batch, gen, pad, recipe["augment"]):
            for g in opt.param_groups:
                g["lr"] = learning_rate(step, total, recipe)
            opt.zero_grad(set_to_none=True)
            logits = model(x, sn.sample_subnet(space, gen, "max"))
            loss = F.cross_entropy(logits, yb, label_smoothing=recipe["labelSmoothing"])
            loss.backward()
            teacher = F.softmax(logits.detach(), dim=1)
            for mode in ["min"] + ["random"] * n_random:
                student = model(x, sn.sample_subnet(space, gen, mode))
                kd = F.kl_div(F.log_softmax(student, dim=1), teacher, reduction="batchmean")
                kd.backward()
            opt.step()
            loss_sum += loss.item()
            step += 1
            if step % 20 == 0:
                emit("step", step=step, steps=total, loss=loss.item(),
                     imagesPerSecond=(s + 1) * batch / max(time.time() - t0, 1e-9))
        seconds = time.time() - t0
        train_seconds += seconds
        # The largest subnet on the scoring images, with the shared (not recalibrated) BN statistics.
        largest = sn.sample_subnet(space, gen, "max")
        val = evaluate(lambda x: model(x, largest), va_x, va_y, eval_mode=model.eval)
        emit("epoch", epoch=epoch + 1, epochs=recipe["epochs"], loss=loss_sum / max(steps_per_epoch, 1),
             validationAccuracy=val, seconds=seconds,
             imagesPerSecond=steps_per_epoch * batch / max(seconds, 1e-9))
    out = job["outDir"]
    path = os.path.join(out, "supernet.pt")
    torch.save({"space": space, "state": model.state_dict()}, path)
    result = {
        "checkpoint": path,
        "trainImages": int(tr_x.shape[0]),
        "parameters": sum(p.numel() for p in model.parameters()),
        "trainSeconds": train_seconds,
        "wallSeconds": time.time() - started,
        "imagesPerSecond": total * batch / max(train_seconds, 1e-9),
        "subnetsPerStep": 2 + n_random,
        "torchVersion": torch.__version__,
    }
    with open(os.path.join(out, "result.json"), "w") as f:
        json.dump(result, f, indent=1, sort_keys=True)
    emit("done", wallSeconds=result["wallSeconds"], floatTestAccuracy=-1)


def recalibrated(supernet, subnet, recal_x):
    """The subnet with inherited weights and batch-norm statistics re-estimated on `recal_x`."""
    model = sn.extract(supernet, subnet["net"], subnet["depths"])
    model = model.to(memory_format=torch.channels_last)
    for m in model.modules():
        if isinstance(m, torch.nn.BatchNorm2d):
            m.reset_running_stats()
            m.momentum = None  # cumulative average over the recalibration batches
    model.train()
    with torch.no_grad():
        for i in range(0, recal_x.shape[0], 250):
            model(data.normalize(recal_x[i:i + 250]).contiguous(memory_format=torch.channels_last))
    return model


class Scorer:
    def __init__(self, job):
        configure(job.get("threads", 2), job["seed"])
        self.supernet = sn.load(job["checkpoint"])
        tr_x, _, self.va_x, self.va_y = load_data(job, False)
        self.recal_x = tr_x[:job["recalibrationImages"]]

    def score(self, subnets):
        return [evaluate(recalibrated(self.supernet, s, self.recal_x), self.va_x, self.va_y) for s in subnets]


def serve(job):
    t0 = time.time()
    scorer = Scorer(job)
    emit("ready", seconds=time.time() - t0)
    for line in sys.stdin:
        if not line.strip():
            continue
        request = json.loads(line)
        t = time.time()
        accuracies = scorer.score(request["subnets"])
        sys.stdout.write(json.dumps({"id": request["id"], "accuracies": accuracies,
                                     "seconds": time.time() - t}) + "\n")
        sys.stdout.flush()


def score(job, shard):
    index, count = shard
    subnets = job["subnets"][index - 1::count]
    accuracies = Scorer(job).score(subnets)
    name = os.path.join(job["outDir"], f"scores.{index}-of-{count}.json")
    with open(name, "w") as f:
        json.dump({"shard": [index, count], "accuracies": accuracies}, f)
    emit("done", wallSeconds=0, floatTestAccuracy=-1)


def check(job):
    """Weight sharing check: every sampled subnet extracted into a plain MbconvNet computes what
    the super-network computes for that choice (eval mode, after BN statistics moved)."""
    configure(1, job["seed"])
    space = job["space"]
    model = sn.SuperNet(space)
    gen = torch.Generator().manual_seed(job["seed"])
    res, cin = space["resolution"], space.get("inputChannels", 1)
    model.train()
    with torch.no_grad():
        for mode in ["max", "min", "random", "random"]:
            model(torch.randn(8, cin, res, res, generator=gen), sn.sample_subnet(space, gen, mode))
    model.eval()
    x = torch.randn(4, cin, res, res, generator=gen)
    worst = 0.0
    for arch, depths in ((s["net"], s["depths"]) for s in job["subnets"]):
        sub = sn.subnet_of(space, arch, depths)
        plain = sn.extract(model, arch, depths).eval()
        with torch.no_grad():
            worst = max(worst, (model(x, sub) - plain(x)).abs().max().item())
    emit("checked", subnets=len(job["subnets"]), maxDifference=worst)
    return 0 if worst < 1e-4 else 1


def parse_shard(args):
    if not args:
        return 1, 1
    if len(args) != 2 or args[0] != "--shard":
        raise ValueError("usage: supernet_worker.py score JOB.json [--shard i/n]")
    i, n = (int(v) for v in args[1].split("/"))
    if not 1 <= i <= n:
        raise ValueError(f"--shard {args[1]}: expected i/n with 1 <= i <= n")
    return i, n


def main():
    if len(sys.argv) < 3 or sys.argv[1] not in ("train", "serve", "score", "check"):
        emit("error", message="usage: supernet_worker.py train|serve|score|check JOB.json [--shard i/n]")
        return 2
    try:
        with open(sys.argv[2]) as f:
            job = json.load(f)
        if sys.argv[1] == "train":
            train(job)
        elif sys.argv[1] == "serve":
            serve(job)
        elif sys.argv[1] == "check":
            return check(job)
        else:
            score(job, parse_shard(sys.argv[3:]))
    except (data.DataError, KeyError, ValueError, OSError) as e:
        emit("error", message=f"{type(e).__name__}: {e}")
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
