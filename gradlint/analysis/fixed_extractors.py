"""Models a training loop runs only as fixed feature extractors (GRD505): in eval mode, outside every
optimizer the loop steps."""


def fixed_extractors(record, ctx) -> set:
    """Modules a training loop runs only in eval mode while none of the optimizers it steps covers them.

    ``encoder.eval()`` before the loop, ``opt = Adam(head.parameters())``: the encoder is a fixed
    feature extractor (a pretrained backbone, a flow network). Whether its parameters were frozen is
    not known here (``Encoder(trainable=False)`` in another file), so its outputs are not known to
    require grad: an evaluation loop running it on plain data is not reported for it. A model kept
    in eval mode on purpose while it trains (frozen batch-norm statistics) is covered by the
    optimizer; one switched to train() in the loop, or also run in train mode there (a validation
    inside the training loop), is not fixed.
    """
    owners = set()
    for _, _, optimizer in record.steps:
        covered = optimizer.owners or ({optimizer.owner} if optimizer.owner else set())
        if optimizer.kind != "optimizer" or not covered:
            return set()  # an optimizer over parameters of unknown modules may cover any of them
        for owner in covered:
            known = ctx.lookup(owner)
            if known is None or known.kind != "module":
                return set()  # a name of another scope (a model's own optimizer): not comparable here
        owners |= covered
    trained = {path for _, path, training in record.mode_switches if training is not False}
    modes: dict = {}
    for _, path, module, mode in record.forwards:
        if path is not None and mode is True:
            modes.setdefault(path, set()).add(module.training)
    fixed = set()
    for path, trainings in modes.items():
        if trainings != {False} or path in trained:
            continue
        if any(path == owner or path.startswith(owner + ".") or owner.startswith(path + ".") for owner in owners):
            continue
        fixed.add(path)
    return fixed
