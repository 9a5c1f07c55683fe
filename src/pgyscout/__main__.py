from pgyscout.cli import run

run()
