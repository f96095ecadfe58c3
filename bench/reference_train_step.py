"""The Python reference for bench_train_step: one AdamW step, gpt2-small shape, batch 8 x 64."""
import json
import os
import sys
import time

import torch

from reference_gpt import Gpt, batch_loss


def main():
    flavour = sys.argv[1] if len(sys.argv) > 1 else "chapter"
    steps = int(sys.argv[2]) if len(sys.argv) > 2 else 10
    torch.set_num_threads(os.cpu_count())
    torch.manual_seed(0)
    model = Gpt(fused=flavour == "fused")
    model.train()
    optimizer = torch.optim.AdamW(model.parameters(), lr=5e-5, weight_decay=0.1)
    tokens = torch.randint(0, 50257, (8, 65))
    inputs, targets = tokens[:, :-1], tokens[:, 1:]
    seconds = []
    for i in range(2 + steps):
        start = time.perf_counter()
        optimizer.zero_grad()
        loss = batch_loss(model, inputs, targets)
        loss.backward()
        optimizer.step()
        if i >= 2:
            seconds.append(time.perf_counter() - start)
    median = sorted(seconds)[len(seconds) // 2]
    print(json.dumps({"impl": f"python reference ({flavour})", "threads": torch.get_num_threads(),
                      "median_step_s": round(median, 4), "tokens_per_s": round(8 * 64 / median, 1)}))


if __name__ == "__main__":
    main()
