#!/usr/bin/env python3
"""Export a PyTorch nn.Sequential for gradscope (loadPyTorch in JavaScript).

Supported modules, in gradscope's per-layer order Linear -> norm? -> activation? ->
Dropout?: nn.Linear, nn.BatchNorm1d (eps 1e-5, momentum 0.1), nn.LayerNorm (eps 1e-5),
nn.ReLU, nn.LeakyReLU(0.01), nn.Sigmoid, nn.Tanh, nn.ELU(1.0), nn.SELU,
nn.GELU (exact), nn.SiLU, nn.Softsign, nn.Identity, nn.Dropout. Tensors are written as base64
float32 bytes, so the values arrive bit for bit. This writes what the model is; the
import (fromPyTorch / loadPyTorch / loadNetwork) checks every field and shape and
refuses, with a sentence, what gradscope cannot represent exactly: other modules or
constants, BatchNorm1d(momentum=None) (PyTorch's cumulative average), two Dropouts in
a row. A Linear with bias=False loads with a zero (trainable) bias.

loss: the loss the model was trained with, "mse", "bce" or "softmax-ce" (or None:
the import's default, mse). "bce" on a model ending in nn.Sigmoid means nn.BCELoss on
its probabilities: the import folds that Sigmoid into gradscope's bce, which takes
logits (so the sigmoid is applied once); on any other model it means
nn.BCEWithLogitsLoss. "softmax-ce" is nn.CrossEntropyLoss on logits.

As a module:   from export_state_dict import export
               json.dump(export(model, loss="softmax-ce"), open("model.json", "w"))
As a script:   python3 export_state_dict.py model.pt model.json [--loss bce|mse|softmax-ce]
               (model.pt: torch.save(model, "model.pt") of the whole nn.Sequential)
Then in JavaScript: const net = await loadPyTorch(await (await fetch('model.json')).json());
"""
import base64
import json
import struct
import sys

import torch
from torch import nn


def _data(t):
    values = t.detach().to(torch.float32).contiguous().reshape(-1).tolist()
    return base64.b64encode(struct.pack("<%df" % len(values), *values)).decode("ascii")


def export(model, loss=None):
    """the JSON-ready document for gradscope's loadPyTorch"""
    if loss not in (None, "mse", "bce", "softmax-ce"):
        raise ValueError("export: loss is %r; expected None, 'mse', 'bce' or 'softmax-ce'" % (loss,))
    if not isinstance(model, nn.Sequential):
        raise TypeError("export: expected an nn.Sequential, got %s" % type(model).__name__)
    modules = []
    for i, m in enumerate(model):
        d = {"type": type(m).__name__}
        if isinstance(m, nn.Linear):
            d.update(in_features=m.in_features, out_features=m.out_features, bias=m.bias is not None)
        elif isinstance(m, nn.BatchNorm1d):
            if not m.affine or not m.track_running_stats:
                raise ValueError("modules[%d]: BatchNorm1d needs affine=True and track_running_stats=True" % i)
            d.update(eps=m.eps, momentum=m.momentum)
        elif isinstance(m, nn.LayerNorm):
            if not m.elementwise_affine:
                raise ValueError("modules[%d]: LayerNorm needs elementwise_affine=True" % i)
            d.update(eps=m.eps)
        elif isinstance(m, nn.LeakyReLU):
            d.update(negative_slope=m.negative_slope)
        elif isinstance(m, nn.ELU):
            d.update(alpha=m.alpha)
        elif isinstance(m, nn.GELU):
            d.update(approximate=getattr(m, "approximate", "none"))
        elif isinstance(m, nn.Dropout):
            d.update(p=m.p)
        modules.append(d)
    state = {
        name: {"shape": list(t.shape), "data": _data(t)}
        for name, t in model.state_dict().items()
        if t.is_floating_point()
    }
    return {"format": "gradscope-pytorch-state-dict", "version": 1, "modules": modules, "loss": loss, "state_dict": state}


if __name__ == "__main__":
    args = sys.argv[1:]
    loss = None
    if "--loss" in args:
        i = args.index("--loss")
        loss = args[i + 1]
        del args[i : i + 2]
    if len(args) != 2:
        sys.exit("usage: export_state_dict.py MODEL.pt OUT.json [--loss bce|mse|softmax-ce]")
    model = torch.load(args[0])
    with open(args[1], "w") as f:
        json.dump(export(model, loss), f)
