using System.Buffers;
using System.Net;
using Orchestrator.Workflow.Marketplace;

namespace Orchestrator.Workflow.Http;

/// <summary>
/// Sits inside the resilience pipeline, so one attempt's timeout and cancellation cover the whole exchange: the
/// headers and the body, which it reads here into memory, up to <see cref="MarketplaceOptions.MaxResponseBytes"/>.
/// Without it the body would be read by the client after the attempt's timeout had ended, and a server that sends
/// its headers and then a byte now and then would hold the step forever. A redirect is refused, never followed: a
/// request may carry a payment token, which goes to no other address.
/// </summary>
public sealed class BoundedResponseHandler(IOptions<MarketplaceOptions> options) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var response = await base.SendAsync(request, cancellationToken);
        try
        {
            if (response.StatusCode is >= HttpStatusCode.MultipleChoices and < HttpStatusCode.BadRequest)
                throw new UntrustedResponseException($"answered a redirect (HTTP {(int)response.StatusCode}), which is not followed");

            await BufferAsync(response, options.Value.MaxResponseBytes, cancellationToken);
            return response;
        }
        catch
        {
            response.Dispose();
            throw;
        }
    }

    /// <summary>Replaces the streamed content with the same bytes in memory, refusing more than <paramref name="limit"/>.</summary>
    static async Task BufferAsync(HttpResponseMessage response, long limit, CancellationToken cancellationToken)
    {
        var content = response.Content;
        if (content.Headers.ContentLength > limit)
            throw TooLarge(limit);

        // Chunked bodies announce no length: count what arrives. The read buffer is pooled; the body's own buffer starts
        // at the length announced (at most 64 KiB: an announcement is not trusted with more) and grows with what arrives.
        await using var body = await content.ReadAsStreamAsync(cancellationToken);
        using var buffer = new MemoryStream((int)Math.Min(content.Headers.ContentLength ?? 0, InitialBufferBytes));
        var chunk = ArrayPool<byte>.Shared.Rent(16 * 1024);
        try
        {
            int read;
            while ((read = await body.ReadAsync(chunk, cancellationToken)) > 0)
            {
                if (buffer.Length + read > limit)
                    throw TooLarge(limit);
                buffer.Write(chunk, 0, read);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }

        var buffered = new ByteArrayContent(buffer.GetBuffer(), 0, (int)buffer.Length);
        foreach (var header in content.Headers)
            buffered.Headers.TryAddWithoutValidation(header.Key, header.Value);
        buffered.Headers.ContentLength = buffer.Length;
        response.Content = buffered;
        content.Dispose();
    }

    const int InitialBufferBytes = 64 * 1024;

    static UntrustedResponseException TooLarge(long limit) => new($"answered more than {limit} bytes (Marketplace:MaxResponseBytes)");
}
