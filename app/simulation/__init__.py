"""What-if simulation through the real engine and the real diagram, in memory, with a simulated clock.

``model`` describes a simulation (scenarios, arrivals, mix, durations, staff),
``run`` executes one seeded run of one scenario, ``results`` summarises and
compares runs. Reading history from the database and saving results is the
service layer's (``app.services.simulation``).
"""
