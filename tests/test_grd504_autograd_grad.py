"""GRD504 through ``torch.autograd.grad``: it walks and frees a graph as ``backward()`` does (unless
``retain_graph``/``create_graph`` keeps it), so taking gradients through a graph an earlier backward()
or autograd.grad freed raises "Trying to backward through the graph a second time" (torch 2.13: a
gradient norm taken after ``loss.backward()``, per-task gradients of two losses sharing a backbone,
per-trial gradients of outputs computed once before the loop). The call is an event of its own
(``on_autograd_grad``), not a backward: it leaves nothing in ``.grad`` for a step. Only the graph
between its outputs and its inputs is walked: ``autograd.grad(y.sum(), z)`` frees nothing that
computed ``z``, and with tensors of their own as inputs (not parameters), no graph the outputs were
not computed from them (``gradient_outputs._unwalked_graphs``: a TRADES attack step's target
``p_natural``, computed once before the loop, stays usable)."""

from snippets import case_maker, rule_tests

case = case_maker("GRD504")

_NORM_AFTER_BACKWARD = """
import torch
import torch.nn as nn
import torch.nn.functional as F


class Trainer:
    def __init__(self):
        self.model = nn.Sequential(nn.Linear(10, 32), nn.Tanh(), nn.Linear(32, 3))
        self.optimizer = torch.optim.SGD(self.model.parameters(), lr=0.1)

    def step(self, x, y):
        self.optimizer.zero_grad()
        loss = F.cross_entropy(self.model(x), y)
        loss.backward()
        self.optimizer.step()
        {again}
        grads = torch.autograd.grad(loss, list(self.model.parameters())){mark}
        return loss.item(), torch.sqrt(sum((g ** 2).sum() for g in grads)).item()


trainer = Trainer()
for it in range(3):
    print(trainer.step(torch.randn(8, 10), torch.randint(0, 3, (8,))))
"""

_TWO_TASK_GRADIENTS = """
import torch
import torch.nn as nn
import torch.nn.functional as F


class MultiTaskNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.backbone = nn.Sequential(nn.Linear(16, 32), nn.ReLU())
        self.seg_head = nn.Linear(32, 4)
        self.depth_head = nn.Linear(32, 1)

    def forward(self, x):
        feats = self.backbone(x)
        return self.seg_head(feats), self.depth_head(feats)


def task_gradients(net, x, y_seg, y_depth):
    seg, depth = net(x)
    seg_loss = F.cross_entropy(seg, y_seg)
    depth_loss = F.l1_loss(depth.squeeze(1), y_depth)
    shared = list(net.backbone.parameters())
    g_seg = torch.autograd.grad(seg_loss, shared{retain})
    g_depth = torch.autograd.grad(depth_loss, shared){mark}
    return g_seg, g_depth


net = MultiTaskNet()
print(task_gradients(net, torch.randn(8, 16), torch.randint(0, 4, (8,)), torch.randn(8))[1][0].shape)
"""

_TRIALS_OF_SHARED_OUTPUTS = """
import torch
import torch.nn as nn
import torch.nn.functional as F


def label_trials(net, inputs, targets, trials=3):
    params = list(net.parameters())
    outputs = net(inputs)
    norms = []
    for t in range(trials):
        noisy = targets.clone()
        noisy[t::trials] = torch.randint(0, 5, noisy[t::trials].shape)
        trial_loss = F.cross_entropy(outputs, noisy)
        grads = torch.autograd.grad(trial_loss, params)  # expect: GRD504
        norms.append(sum(g.norm() for g in grads).item())
    return norms


net = nn.Sequential(nn.Linear(12, 24), nn.ReLU(), nn.Linear(24, 5))
print(label_trials(net, torch.randn(10, 12), torch.randint(0, 5, (10,))))
"""

_MAML_CREATE_GRAPH = """
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.func import functional_call


def maml_step(model, meta_opt, tasks, inner_lr=0.05):
    meta_opt.zero_grad()
    names = [n for n, _ in model.named_parameters()]
    for support_x, support_y, query_x, query_y in tasks:
        params = [p for _, p in model.named_parameters()]
        inner_loss = F.mse_loss(model(support_x), support_y)
        grads = torch.autograd.grad(inner_loss, params, create_graph=True)
        fast = {n: p - inner_lr * g for n, p, g in zip(names, params, grads)}
        outer_loss = F.mse_loss(functional_call(model, fast, (query_x,)), query_y)
        outer_loss.backward()
    meta_opt.step()


model = nn.Sequential(nn.Linear(4, 16), nn.Tanh(), nn.Linear(16, 1))
meta_opt = torch.optim.Adam(model.parameters(), lr=1e-3)
tasks = [(torch.randn(5, 4), torch.randn(5, 1), torch.randn(5, 4), torch.randn(5, 1)) for _ in range(3)]
for epoch in range(2):
    maml_step(model, meta_opt, tasks)
print("ok")
"""

_GRADIENT_PENALTY = """
import torch
import torch.nn as nn


def critic_step(critic, opt, real, fake, lam=10.0):
    opt.zero_grad()
    alpha = torch.rand(real.size(0), 1)
    mixed = (alpha * real + (1 - alpha) * fake).requires_grad_(True)
    score = critic(mixed)
    slopes = torch.autograd.grad(outputs=score.sum(), inputs=mixed, create_graph=True)[0]
    penalty = ((slopes.norm(2, dim=1) - 1) ** 2).mean()
    loss = critic(fake).mean() - critic(real).mean() + lam * penalty
    loss.backward()
    opt.step()
    return loss.item()


critic = nn.Sequential(nn.Linear(8, 32), nn.LeakyReLU(0.2), nn.Linear(32, 1))
opt = torch.optim.Adam(critic.parameters(), lr=1e-4)
for it in range(3):
    print(critic_step(critic, opt, torch.randn(16, 8), torch.randn(16, 8)))
"""

_OUTPUTS_PER_TRIAL = """
import torch
import torch.nn as nn
import torch.nn.functional as F


def label_trials(net, inputs, targets, trials=3):
    params = list(net.parameters())
    norms = []
    for t in range(trials):
        outputs = net(inputs)
        noisy = targets.clone()
        noisy[t::trials] = torch.randint(0, 5, noisy[t::trials].shape)
        grads = torch.autograd.grad(F.cross_entropy(outputs, noisy), params)
        norms.append(sum(g.norm() for g in grads).item())
    return norms


net = nn.Sequential(nn.Linear(12, 24), nn.ReLU(), nn.Linear(24, 5))
print(label_trials(net, torch.randn(10, 12), torch.randint(0, 5, (10,))))
"""

_GRADIENT_AT_AN_INTERMEDIATE = """
import torch
import torch.nn as nn


def split_grads(encoder, decoder, x):
    z = encoder(x)
    y = decoder(z)
    dz = torch.autograd.grad(y.sum(), z)[0]
    g_enc = torch.autograd.grad((z * dz).sum(), list(encoder.parameters()))
    return g_enc


encoder = nn.Sequential(nn.Linear(6, 12), nn.Tanh())
decoder = nn.Sequential(nn.Linear(12, 12), nn.Tanh(), nn.Linear(12, 2))
print(split_grads(encoder, decoder, torch.randn(4, 6))[0].shape)
"""

_BACKWARD_BEHIND_AN_INTERMEDIATE = """
import torch
import torch.nn as nn


def synthetic_gradient_step(encoder, decoder, enc_opt, x):
    enc_opt.zero_grad()
    code = encoder(x)
    recon = decoder(code)
    code_grad = torch.autograd.grad(recon.pow(2).mean(), code)[0]
    (code * code_grad).sum().backward()
    enc_opt.step()


encoder = nn.Sequential(nn.Linear(6, 12), nn.Tanh())
decoder = nn.Sequential(nn.Linear(12, 12), nn.Tanh(), nn.Linear(12, 6))
enc_opt = torch.optim.SGD(encoder.parameters(), lr=0.1)
for it in range(3):
    synthetic_gradient_step(encoder, decoder, enc_opt, torch.randn(4, 6))
print(encoder[0].weight.grad.shape)
"""

_SALIENCY_PER_CLASS = """
import torch
import torch.nn as nn


def class_saliency(embedding, head, tokens, classes=3):
    embedded = embedding(tokens)
    logits = head(embedded).mean(dim=1)
    maps = []
    for c in range(classes):
        grad = torch.autograd.grad(logits[:, c].sum(), embedded)[0]  # expect: GRD504
        maps.append(grad.norm(dim=-1))
    return torch.stack(maps, dim=1)


embedding = nn.Embedding(50, 16)
head = nn.Sequential(nn.Linear(16, 32), nn.Tanh(), nn.Linear(32, 3))
print(class_saliency(embedding, head, torch.randint(0, 50, (2, 7))).shape)
"""

_TRADES_ATTACK_STEPS = """
import torch
import torch.nn as nn
import torch.nn.functional as F


def trades_kl(model, x_natural, steps=5, step_size=0.01):
    criterion_kl = nn.KLDivLoss(reduction="sum")
    p_natural = F.softmax(model(x_natural), dim=1)
    x_adv = x_natural.detach() + 0.001 * torch.randn(x_natural.shape)
    for _ in range(steps):
        x_adv.requires_grad_()
        h = model(x_adv)
        loss_kl = criterion_kl(F.log_softmax(h, dim=1), p_natural)
        grad = torch.autograd.grad(loss_kl, [x_adv])[0]
        x_adv = x_adv.detach() + step_size * torch.sign(grad.detach())
    return x_adv


model = nn.Sequential(nn.Linear(8, 16), nn.ReLU(), nn.Linear(16, 3))
print(trades_kl(model, torch.randn(4, 8)).shape)
"""

POSITIVES = [
    case(
        "a_gradient_norm_after_backward",
        _NORM_AFTER_BACKWARD.format(again="# the norm of the step's own loss", mark="  # expect: GRD504"),
        lines=(18,),
    ),
    case(
        "a_second_task_gradient_through_a_shared_backbone",
        _TWO_TASK_GRADIENTS.format(retain="", mark="  # expect: GRD504"),
        lines=(25,),
    ),
    case(
        "per_trial_gradients_of_outputs_computed_before_the_loop", _TRIALS_OF_SHARED_OUTPUTS, lines=(15,)
    ),
    case("per_class_gradients_at_an_embedding_through_one_head_output", _SALIENCY_PER_CLASS, lines=(11,)),
]

NEGATIVES = [
    case("the_first_task_gradient_retains_the_graph", _TWO_TASK_GRADIENTS.format(retain=", retain_graph=True", mark="")),
    case("maml_inner_gradients_with_create_graph", _MAML_CREATE_GRAPH),
    case("a_gradient_penalty_with_create_graph", _GRADIENT_PENALTY),
    case(
        "the_loss_recomputed_between",
        _NORM_AFTER_BACKWARD.format(again="loss = F.cross_entropy(self.model(x), y)", mark=""),
    ),
    case("outputs_recomputed_per_trial", _OUTPUTS_PER_TRIAL),
    case("a_gradient_at_an_intermediate_leaves_its_graph", _GRADIENT_AT_AN_INTERMEDIATE),
    case("a_backward_through_the_graph_behind_an_intermediate", _BACKWARD_BEHIND_AN_INTERMEDIATE),
    case("attack_steps_at_the_input_reuse_a_target_computed_once", _TRADES_ATTACK_STEPS),
]

test_fires, test_silent = rule_tests("GRD504", POSITIVES, NEGATIVES)
