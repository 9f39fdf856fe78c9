"""`python -m stationdesk`: the same command as `stationdesk`."""

from stationdesk.cli import main

if __name__ == "__main__":
    main()
