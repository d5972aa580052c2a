# GRD403 requires-grad-comparison: `p.requires_grad == False` compares and discards the result instead of freezing
# runtime: asserts no embedding parameter requires grad (in bad.py the embedding still does)
import torch
import torch.nn as nn
import torch.optim as optim


class BagOfWords(nn.Module):
    def __init__(self, vocab_size, dim, n_classes):
        super().__init__()
        self.embedding = nn.EmbeddingBag(vocab_size, dim)
        self.fc = nn.Linear(dim, n_classes)

    def forward(self, tokens):
        return self.fc(self.embedding(tokens))


torch.manual_seed(0)
tokens = torch.randint(0, 100, (32, 12))
labels = torch.randint(0, 4, (32,))

model = BagOfWords(100, 16, 4)
# keep the (pretrained) word vectors fixed
for p in model.embedding.parameters():
    p.requires_grad == False  # expect: GRD403

criterion = nn.CrossEntropyLoss()
optimizer = optim.Adam([p for p in model.parameters() if p.requires_grad], lr=0.01)

for epoch in range(5):
    optimizer.zero_grad()
    loss = criterion(model(tokens), labels)
    loss.backward()
    optimizer.step()

assert not any(p.requires_grad for p in model.embedding.parameters()), "embedding is still trainable"
