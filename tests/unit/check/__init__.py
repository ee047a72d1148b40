"""The daemon's checker (daemon/check, kaconfd.check): spec, state, scheduler, IPVS plan, child."""
