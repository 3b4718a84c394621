"""Customer-base models: who is still a customer, and what will each one buy?

Probabilistic models of repeat buying that researchers and analysts use to tell an active
customer from a lost one and to forecast purchases and value, written on numpy and scipy
alone: exact log-space likelihoods, maximum likelihood with standard errors, and a clear
error when a fit fails. One module each:

- `summary`: orders to each customer's frequency, recency and age (T), in a stated unit;
- `bgnbd` (BG/NBD) and `pareto_nbd` (Pareto/NBD): repeat transactions and dropout;
- `gamma_gamma`: the spend per transaction;
- `sbg` (shifted-beta-geometric): a cohort's retention from period to period;
- `clv`: each customer's discounted expected spend, with every time unit stated;
- `fitting`: the one maximum-likelihood routine they share.
"""
