"""optimus.evaluate"""
