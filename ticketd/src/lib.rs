//! ticketd: the ConcertFrenzy hold service, the system Frenzy tests over HTTP.
