"""kaconf's tests by kind: unit/<layer>, fuzz, netns, oracle; support holds shared helpers.

unit/<layer> is fast and pure, named like the code folder it tests (kaconf/<x>, daemon/<x>);
fuzz feeds generated input; netns runs the daemon in network namespaces; oracle compares
with the real keepalived binary.
"""
