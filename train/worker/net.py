"""The PyTorch twin of engine/builders/mbconv.ts: the same MbconvArch record gives the same layers
in the same order, with the same names, TFLite SAME padding (odd padding at bottom/right), ReLU6,
residual rule and middle widths. Each conv has a batch norm that `folded_layers` folds away."""
import math

import torch
import torch.nn as nn
import torch.nn.functional as F


def same_padding(size, kernel, stride):
    """TFLite SAME padding of one axis: (before, after)."""
    out = math.ceil(size / stride)
    total = max((out - 1) * stride + kernel - size, 0)
    return total // 2, total - total // 2


class ConvBn(nn.Module):
    """Conv (no bias) + batch norm + optional ReLU6, SAME padding for a known input size."""

    def __init__(self, name, in_size, cin, cout, kernel, stride, depthwise, relu6):
        super().__init__()
        self.name = name
        self.kind = "depthwise" if depthwise else "conv"
        before, after = same_padding(in_size, kernel, stride)
        self.pad = (before, after, before, after)
        self.conv = nn.Conv2d(cin, cout, kernel, stride, 0, groups=cin if depthwise else 1, bias=False)
        self.bn = nn.BatchNorm2d(cout)
        self.relu6 = relu6
        self.out_size = math.ceil(in_size / stride)

    def forward(self, x, record):
        if any(self.pad):
            x = F.pad(x, self.pad)
        x = self.bn(self.conv(x))
        if self.relu6:
            x = F.relu6(x)
        if record is not None:
            record(self.name, x)
        return x


class Block(nn.Module):
    def __init__(self, name, in_size, cin, spec):
        super().__init__()
        self.name = name
        mid = spec.get("midChannels") or round(cin * spec["expand"])
        if spec["expand"] == 1:
            mid = cin
        cout = spec["outChannels"]
        default_residual = spec["stride"] == 1 and cin == cout
        self.residual = spec.get("residual", default_residual)
        layers = []
        size = in_size
        if spec["expand"] != 1:
            layers.append(ConvBn(f"{name}/expand", size, cin, mid, 1, 1, False, True))
        layers.append(ConvBn(f"{name}/depthwise", size, mid, mid, spec["kernel"], spec["stride"], True, True))
        size = layers[-1].out_size
        layers.append(ConvBn(f"{name}/project", size, mid, cout, 1, 1, False, False))
        self.layers = nn.ModuleList(layers)
        self.out_size = size
        self.out_channels = cout

    def forward(self, x, record):
        y = x
        for layer in self.layers:
            y = layer(y, record)
        if self.residual:
            y = x + y
            if record is not None:
                record(f"{self.name}/add", y)
        return y


class MbconvNet(nn.Module):
    """first conv 3x3 s2 + ReLU6, MBConv blocks, optional feature mix, global average pool, FC."""

    def __init__(self, arch):
        super().__init__()
        size = arch["resolution"]
        cin = arch.get("inputChannels", 3)
        c = arch["firstConv"]["outChannels"]
        self.first = ConvBn("first_conv", size, cin, c, 3, 2, False, True)
        size = self.first.out_size
        blocks = []
        for i, spec in enumerate(arch["blocks"]):
            block = Block(f"block{i}", size, c, spec)
            blocks.append(block)
            size, c = block.out_size, block.out_channels
        self.blocks = nn.ModuleList(blocks)
        self.mix = None
        if arch.get("featureMix"):
            m = arch["featureMix"]["outChannels"]
            self.mix = ConvBn("feature_mix", size, c, m, 1, 1, False, True)
            c = m
        self.classifier = nn.Linear(c, arch["classes"])

    def forward(self, x, record=None):
        x = self.first(x, record)
        for block in self.blocks:
            x = block(x, record)
        if self.mix is not None:
            x = self.mix(x, record)
        x = x.mean(dim=(2, 3))
        if record is not None:
            record("head/avgpool", x)
        x = self.classifier(x)
        if record is not None:
            record("head/classifier", x)
        return x

    def conv_layers(self):
        """Every ConvBn in graph order."""
        out = [self.first]
        for block in self.blocks:
            out.extend(block.layers)
        if self.mix is not None:
            out.append(self.mix)
        return out


def folded_layers(net):
    """Batch norm folded into each conv: [(name, kind, weights in TFLite layout, bias)] in graph
    order, float64 math. Conv OHWI, depthwise 1HWC, fully connected [units, depth]."""
    out = []
    with torch.no_grad():
        for layer in net.conv_layers():
            bn = layer.bn
            w = layer.conv.weight.double()
            gamma = bn.weight.double() / torch.sqrt(bn.running_var.double() + bn.eps)
            w = w * gamma[:, None, None, None]
            b = bn.bias.double() - bn.running_mean.double() * gamma
            if layer.kind == "depthwise":
                w = w.permute(1, 2, 3, 0)  # [C, 1, kh, kw] -> [1, kh, kw, C]
            else:
                w = w.permute(0, 2, 3, 1)  # OIHW -> OHWI
            out.append((layer.name, layer.kind, w.contiguous(), b))
        fc = net.classifier
        out.append(("head/classifier", "fully_connected", fc.weight.double().contiguous(), fc.bias.double()))
    return out
