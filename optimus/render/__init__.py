"""optimus.render"""
