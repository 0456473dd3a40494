namespace FastVideo.Onnx.Server.Api;

/// <summary>
/// Writes every refused request as OpenAI's error envelope: <see cref="ApiException"/> with its status, the framework's
/// bad-request errors (malformed bodies, size limits) as 400/413, a cluster that cannot answer yet (a silo died and is
/// not yet declared dead) as 503 with Retry-After, and anything unexpected as a logged 500.
/// </summary>
internal sealed class ErrorMiddleware(RequestDelegate next, ILogger<ErrorMiddleware> log)
{
    public async Task InvokeAsync(HttpContext context)
    {
        try
        {
            await next(context).ConfigureAwait(false);
        }
        catch (ApiException e)
        {
            await ErrorEnvelope.WriteAsync(context, e).ConfigureAwait(false);
        }
        catch (BadHttpRequestException e)
        {
            await ErrorEnvelope.WriteAsync(context, e.StatusCode == 413
                ? ErrorEnvelope.ForStatus(413, "")
                : new ApiException(e.StatusCode is >= 400 and < 500 ? e.StatusCode : 400, "invalid_request_error",
                    $"bad request ({ErrorEnvelope.Quote(e.Message)})", null, "bad_request")).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client went away; nobody reads an answer.
        }
        catch (Exception e) when (e is Orleans.Runtime.SiloUnavailableException or Orleans.Runtime.OrleansMessageRejectionException or TimeoutException)
        {
            log.LogWarning("{Method} {Path}: the cluster could not answer: {Error}", context.Request.Method, context.Request.Path.Value, e.Message);
            await ErrorEnvelope.WriteAsync(context, new ApiException(503, "server_error", "the cluster is recovering from a lost silo; retry shortly", null, "cluster_unavailable")
            {
                RetryAfterSeconds = 2,
            }).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            log.LogError(e, "unhandled error on {Method} {Path}", context.Request.Method, context.Request.Path.Value);
            await ErrorEnvelope.WriteAsync(context, ErrorEnvelope.ForStatus(500, "")).ConfigureAwait(false);
        }
    }
}
