"""Customer-base models: who is still a customer, and what will each one buy?

Probabilistic models of repeat buying that researchers and analysts use to tell an active
customer from a lost one and to forecast purchases and value, written on numpy and scipy
alone: exact log-space likelihoods, maximum likelihood with standard errors, and a clear
error when a fit fails. `sbg` (cohort retention) is here; the transaction and spend
models sit beside it, one module each.
"""
