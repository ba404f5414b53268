-- wrk: POST the simple example's request body.
wrk.method = "POST"
wrk.body = '{"x": 7}'
wrk.headers["Content-Type"] = "application/json"
