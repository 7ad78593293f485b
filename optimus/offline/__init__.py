"""optimus.offline"""
