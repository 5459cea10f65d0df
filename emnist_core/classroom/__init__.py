"""Classroom mode: who is signed in, what they may see and change, and the class's limits."""
