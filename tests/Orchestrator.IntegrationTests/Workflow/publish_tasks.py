"""Publishes each line of stdin, as it is, to MassTransit's exchange for TaskSubmitted: plain JSON, no envelope,
no MassTransit header. Usage: /usr/bin/python3 publish_tasks.py <host> <virtual host> < tasks.jsonl"""
import sys

import pika

host, virtual_host = sys.argv[1], sys.argv[2]
connection = pika.BlockingConnection(pika.ConnectionParameters(host=host, virtual_host=virtual_host))
channel = connection.channel()
channel.confirm_delivery()
for line in sys.stdin:
    if line.strip():
        channel.basic_publish(
            exchange="Orchestrator.Contracts:TaskSubmitted",
            routing_key="",
            body=line.strip().encode("utf-8"),
            properties=pika.BasicProperties(content_type="application/json", delivery_mode=2),
        )
connection.close()
