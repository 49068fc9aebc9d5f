#!/bin/sh
# /cgi-bin/metrics of the test application: /www/metrics with the Content-Type
# of Prometheus' text format.
printf 'Content-Type: text/plain; version=0.0.4; charset=utf-8\r\n\r\n'
exec cat /www/metrics
