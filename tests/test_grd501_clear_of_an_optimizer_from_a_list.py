"""GRD501 when the loop's only clears are of optimizers taken from a list (``self.critic_optims[k]``):
such a clear reaches what the list's optimizers train (``element_clears.cleared_owners``), not an
optimizer bound on its own (``self.actor_optim`` over the actor, stepped each iteration and never
cleared: its gradients pile up, torch 2.13). Before, an element's clear had no path and counted as a
clear of unknown reach, which excused every optimizer of the loop (corpus_threads24 p07, a PATE-GAN's
student discriminator; smartnoise-sdk #280)."""

from snippets import case_maker, rule_tests

case = case_maker("GRD501")

_ENSEMBLE = """
import torch
import torch.nn as nn


class EnsembleActorCritic:
    def __init__(self, obs_dim=5, n_critics=3):
        self.critics = [nn.Linear(obs_dim + 1, 1) for _ in range(n_critics)]
        self.actor = nn.Linear(obs_dim, 1)
        {optimizers}

    def update(self, batches, steps=4):
        for step in range(steps):
            obs, act, ret = batches[step % len(batches)]
            for k, critic in enumerate(self.critics):
                self.critic_optims[k].zero_grad()
                critic_loss = (critic(torch.cat([obs, act], 1)) - ret).pow(2).mean()
                critic_loss.backward()
                self.critic_optims[k].step()
            {actor_clear}
            q = torch.stack([c(torch.cat([obs, self.actor(obs)], 1)) for c in self.critics]).mean(0)
            actor_loss = -q.mean()
            actor_loss.backward()
            self.actor_optim.step(){mark}


batches = [(torch.randn(8, 5), torch.randn(8, 1), torch.randn(8, 1)) for _ in range(2)]
EnsembleActorCritic().update(batches)
"""

_OWN = (
    "self.critic_optims = [torch.optim.Adam(c.parameters(), lr=1e-3) for c in self.critics]\n"
    "        self.actor_optim = torch.optim.Adam(self.actor.parameters(), lr=1e-3)"
)
_ALL = _OWN + "\n        self.all_optims = self.critic_optims + [self.actor_optim]"


def _ensemble(optimizers=_OWN, actor_clear="", mark=""):
    return _ENSEMBLE.format(optimizers=optimizers, actor_clear=actor_clear, mark=mark)


POSITIVES = [
    case("actor_optimizer_never_cleared_beside_a_list_of_critic_optimizers",
         _ensemble(mark="  # expect: GRD501"), lines=(25,)),
]

NEGATIVES = [
    case("actor_optimizer_cleared_too", _ensemble(actor_clear="self.actor_optim.zero_grad()")),
    case(
        "actor_optimizer_cleared_through_a_list_holding_it_too",
        _ensemble(optimizers=_ALL, actor_clear="self.all_optims[-1].zero_grad()"),
    ),
]

test_fires, test_silent = rule_tests("GRD501", POSITIVES, NEGATIVES)
