"""The weight-sharing super-network of MCUNet's stage 2 over one (width, resolution) space: every
searchable block holds the largest choice (kernel 7, expand 6) and a subnet takes a part of it:

- elastic kernel: the centre k x k crop of the 7x7 depthwise kernel (k in {3, 5, 7});
- elastic expand: the first round(cin * e) middle channels of the expansion, depthwise and
  projection weights (and of their batch norms);
- elastic depth: the first d blocks of each stage.

`extract` copies a subnet's weights into the plain `net.MbconvNet` of its MbconvArch, which is
what is scored (after batch-norm recalibration) and fine-tuned; the export path is then the same
as for any trained network."""
import torch
import torch.nn as nn
import torch.nn.functional as F

import net as netlib

MAX_KERNEL = 7


def middle(cin, expand):
    """Middle width of a block (the builders' rule: round(cin * expand))."""
    return cin if expand == 1 else int(cin * expand + 0.5)


def dyn_bn(x, bn, c, training):
    """Batch norm over the first c channels of `bn`."""
    return F.batch_norm(x, bn.running_mean[:c], bn.running_var[:c], bn.weight[:c], bn.bias[:c],
                        training, bn.momentum if bn.momentum is not None else 0.0, bn.eps)


class DynBlock(nn.Module):
    """One searchable MBConv slot at its largest (kernel 7, the largest expand)."""

    def __init__(self, in_size, cin, cout, stride, max_expand):
        super().__init__()
        self.cin, self.cout, self.stride, self.in_size = cin, cout, stride, in_size
        mid = middle(cin, max_expand)
        self.expand = nn.Conv2d(cin, mid, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(mid)
        self.dw = nn.Conv2d(mid, mid, MAX_KERNEL, stride, 0, groups=mid, bias=False)
        self.bn2 = nn.BatchNorm2d(mid)
        self.project = nn.Conv2d(mid, cout, 1, bias=False)
        self.bn3 = nn.BatchNorm2d(cout)
        self.out_size = -(-in_size // stride)

    def forward(self, x, kernel, expand):
        mid = middle(self.cin, expand)
        y = F.relu6(dyn_bn(F.conv2d(x, self.expand.weight[:mid]), self.bn1, mid, self.training))
        before, after = netlib.same_padding(self.in_size, kernel, self.stride)
        if before or after:
            y = F.pad(y, (before, after, before, after))
        y = F.conv2d(y, crop(self.dw.weight[:mid], kernel), stride=self.stride, groups=mid)
        y = F.relu6(dyn_bn(y, self.bn2, mid, self.training))
        y = dyn_bn(F.conv2d(y, self.project.weight[:, :mid]), self.bn3, self.cout, self.training)
        if self.stride == 1 and self.cin == self.cout:
            y = x + y
        return y


def crop(weight, kernel):
    """Centre kernel x kernel crop of a [C, 1, 7, 7] depthwise weight."""
    o = (MAX_KERNEL - kernel) // 2
    return weight[:, :, o:o + kernel, o:o + kernel]


class SuperNet(nn.Module):
    """first conv + fixed first block (as in net.py), searchable stages of DynBlocks, pool, FC.

    `space` is the job's record: resolution, inputChannels, classes, firstConv, firstBlock,
    stages [{outChannels, stride, depths, kernels, expands}]."""

    def __init__(self, space):
        super().__init__()
        self.space = space
        size = space["resolution"]
        c = space["firstConv"]["outChannels"]
        self.first = netlib.ConvBn("first_conv", size, space.get("inputChannels", 1), c, 3, 2, False, True)
        size = self.first.out_size
        self.first_block = netlib.Block("block0", size, c, space["firstBlock"])
        c = space["firstBlock"]["outChannels"]
        max_expand = max(max(s["expands"]) for s in space["stages"])
        stages = []
        for s in space["stages"]:
            blocks = []
            for j in range(max(s["depths"])):
                stride = s["stride"] if j == 0 else 1
                b = DynBlock(size, c, s["outChannels"], stride, max_expand)
                blocks.append(b)
                size, c = b.out_size, s["outChannels"]
            stages.append(nn.ModuleList(blocks))
        self.stages = nn.ModuleList(stages)
        self.classifier = nn.Linear(c, space["classes"])

    def forward(self, x, sub):
        """`sub`: {"depths": [d per stage], "blocks": [[(kernel, expand) per active block]]}."""
        x = self.first_block(self.first(x, None), None)
        for stage, depth, choices in zip(self.stages, sub["depths"], sub["blocks"]):
            for j in range(depth):
                k, e = choices[j]
                x = stage[j](x, k, e)
        return self.classifier(x.mean(dim=(2, 3)))


def subnet_of(space, arch, depths):
    """The SuperNet choice record of an MbconvArch and its per-stage depths."""
    if len(depths) != len(space["stages"]):
        raise ValueError(f"subnet has {len(depths)} stage depths, the space {len(space['stages'])}")
    blocks = arch["blocks"][1:]
    if len(blocks) != sum(depths):
        raise ValueError(f"subnet has {len(blocks)} searchable blocks, its depths sum to {sum(depths)}")
    out, i = [], 0
    for s, d in zip(space["stages"], depths):
        if d not in s["depths"]:
            raise ValueError(f"depth {d} is not one of {s['depths']}")
        choice = []
        for b in blocks[i:i + d]:
            if b["kernel"] not in s["kernels"] or b["expand"] not in s["expands"]:
                raise ValueError(f"block kernel {b['kernel']} expand {b['expand']} is not in the space")
            choice.append((b["kernel"], b["expand"]))
        out.append(choice)
        i += d
    return {"depths": list(depths), "blocks": out}


def sample_subnet(space, gen, mode):
    """'max', 'min' or 'random' choice record, drawn from the torch generator `gen`."""
    def pick(values):
        if mode == "max":
            return max(values)
        if mode == "min":
            return min(values)
        return values[torch.randint(len(values), (1,), generator=gen).item()]
    depths, blocks = [], []
    for s in space["stages"]:
        d = pick(s["depths"])
        depths.append(d)
        blocks.append([(pick(s["kernels"]), pick(s["expands"])) for _ in range(d)])
    return {"depths": depths, "blocks": blocks}


def _copy_bn(dst, src, c):
    dst.weight.copy_(src.weight[:c])
    dst.bias.copy_(src.bias[:c])
    dst.running_mean.copy_(src.running_mean[:c])
    dst.running_var.copy_(src.running_var[:c])


def extract(supernet, arch, depths):
    """A net.MbconvNet of `arch` carrying the super-network's weights for that subnet."""
    sub = subnet_of(supernet.space, arch, depths)
    model = netlib.MbconvNet(arch)
    with torch.no_grad():
        model.first.load_state_dict(supernet.first.state_dict())
        model.blocks[0].load_state_dict(supernet.first_block.state_dict())
        i = 1
        for stage, choices in zip(supernet.stages, sub["blocks"]):
            for j, (k, e) in enumerate(choices):
                src, dst = stage[j], model.blocks[i]
                mid = middle(src.cin, e)
                expand, dw, project = dst.layers
                expand.conv.weight.copy_(src.expand.weight[:mid])
                _copy_bn(expand.bn, src.bn1, mid)
                dw.conv.weight.copy_(crop(src.dw.weight[:mid], k))
                _copy_bn(dw.bn, src.bn2, mid)
                project.conv.weight.copy_(src.project.weight[:, :mid])
                _copy_bn(project.bn, src.bn3, src.cout)
                i += 1
        model.classifier.load_state_dict(supernet.classifier.state_dict())
    return model


def load(path):
    """A SuperNet from a checkpoint written by supernet_worker.py train."""
    saved = torch.load(path)
    model = SuperNet(saved["space"])
    model.load_state_dict(saved["state"])
    return model
