"""The demo of the embedded default, one module per app whose data it loads: `incidents` (teams,
services, users, about 40 incidents), `alerts` (an integration and its incidents, through the real
intake), `coe` (written and reviewed COEs with their weekly figures). Loaded in that order."""
