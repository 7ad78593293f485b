"""optimus.agent"""
