"""placeholder"""
def add_parser(sub):
    sub.add_parser("loadtest")
def main(args):
    return 0
