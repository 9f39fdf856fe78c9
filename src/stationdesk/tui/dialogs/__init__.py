"""Dialogs over a screen: confirmations and the forms of the actions that need input."""
