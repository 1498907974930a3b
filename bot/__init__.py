"""mlorg's Slack adapter and process: settings, the Bolt app, features, storage and jobs.

``bot`` imports ``knowledge``; never the reverse.
"""
