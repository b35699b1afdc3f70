"""The `kubectl ws` and `kubectl create workspace` plugins: kcp's workspace navigation, for kplane.

Modules: `paths` (pure path arithmetic and `/clusters/` URLs), `kubeconfig` (loading, merging and
writing kubeconfig files like client-go), `contexts` (the pure `workspace.kcp.io/current` and
`workspace.kcp.io/previous` rewrites), `client` (the HTTP calls), `tree` (tree drawing), `claims`
(APIBinding claim warnings), `commands` (each command's behaviour), `cli` (argument parsing) and
`__main__` (the console-script entry points).
"""
