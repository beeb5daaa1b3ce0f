"""The Matrix adapter: the bot as a Matrix user that answers in the rooms it is invited to.

    careerbot matrix --sessions sqlite:///var/lib/careerbot/sessions.db

Modules, outside in: `command` (the `careerbot matrix` options and environment), `service`
(login, the sync loop, one message answered; the only module that imports matrix-nio),
`retry` (back-off on rate limits and transient errors), `syncstate` (the sync token and the
events already answered, kept on disk), `addressing` (is a message for the bot, which session),
`chat` (the `!help` ... `!reset` commands) and `message` (a reply as HTML with a plain fallback).
"""
