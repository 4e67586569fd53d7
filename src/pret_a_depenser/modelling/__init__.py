"""Estimators and cross-validation shared by the modelling pipelines."""
