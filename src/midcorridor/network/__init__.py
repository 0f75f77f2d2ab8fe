"""The network: validated places and links with their sources, and the paths on it."""
