using Microsoft.Extensions.Options;
using Orchestrator.Workflow.Http;
using Orchestrator.Workflow.Marketplace;

namespace Orchestrator.Tests.Workflow.Http;

public sealed class BoundedResponseHandlerTests
{
    const long Cap = 4096;

    [Fact]
    public async Task Refuses_a_body_whose_Content_Length_is_over_the_cap_without_reading_it()
    {
        var body = new CountingStream(new byte[Cap + 1]);
        using var client = Client(_ => new HttpResponseMessage(HttpStatusCode.OK) { Content = new StreamContent(body) { Headers = { ContentLength = Cap + 1 } } });

        var refused = await Assert.ThrowsAsync<UntrustedResponseException>(() => client.GetAsync("http://marketplace.test/company/detail?id=1"));

        Assert.Contains("more than 4096 bytes", refused.Message, StringComparison.Ordinal);
        Assert.Equal(0, body.BytesRead);
    }

    [Fact]
    public async Task Refuses_a_chunked_body_once_more_than_the_cap_has_arrived()
    {
        var body = new CountingStream(new byte[40 * Cap]);
        using var client = Client(_ => new HttpResponseMessage(HttpStatusCode.OK) { Content = new StreamContent(body) });

        await Assert.ThrowsAsync<UntrustedResponseException>(() => client.GetAsync("http://marketplace.test/company/detail?id=1"));

        Assert.InRange(body.BytesRead, Cap + 1, 2 * Cap + 16 * 1024);
    }

    [Fact]
    public async Task Hands_back_a_body_within_the_cap_buffered_with_its_headers()
    {
        using var client = Client(_ => new HttpResponseMessage(HttpStatusCode.PaymentRequired)
        {
            Content = new StreamContent(new MemoryStream("{\"price\": 10}"u8.ToArray())) { Headers = { { "Content-Type", "application/json" } } },
        });

        using var response = await client.GetAsync("http://marketplace.test/company/detail?id=1", HttpCompletionOption.ResponseHeadersRead);

        Assert.IsType<ByteArrayContent>(response.Content);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("{\"price\": 10}", await response.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData(HttpStatusCode.Found)]
    [InlineData(HttpStatusCode.MovedPermanently)]
    [InlineData(HttpStatusCode.TemporaryRedirect)]
    [InlineData(HttpStatusCode.PermanentRedirect)]
    public async Task Refuses_a_redirect(HttpStatusCode status)
    {
        using var client = Client(_ => new HttpResponseMessage(status) { Headers = { Location = new Uri("http://elsewhere.test/steal") } });

        var refused = await Assert.ThrowsAsync<UntrustedResponseException>(() => client.GetAsync("http://marketplace.test/company/detail?id=1"));

        Assert.Contains($"redirect (HTTP {(int)status})", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Reads_the_body_under_the_callers_cancellation_so_a_trickle_ends_with_the_attempt()
    {
        using var client = Client(_ => new HttpResponseMessage(HttpStatusCode.OK) { Content = new StreamContent(new TrickleStream()) });
        using var attempt = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
        var started = DateTime.UtcNow;

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            client.GetAsync("http://marketplace.test/catalog", HttpCompletionOption.ResponseHeadersRead, attempt.Token));

        Assert.InRange(DateTime.UtcNow - started, TimeSpan.Zero, TimeSpan.FromSeconds(3));
    }

    static HttpClient Client(Func<HttpRequestMessage, HttpResponseMessage> answer) =>
        new HttpClient(new BoundedResponseHandler(Options.Create(new MarketplaceOptions { MaxResponseBytes = Cap })) { InnerHandler = new Answering(answer) });

    sealed class Answering(Func<HttpRequestMessage, HttpResponseMessage> answer) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            Task.FromResult(answer(request));
    }

    /// <summary>Not seekable, so that it announces no length: a chunked body.</summary>
    sealed class CountingStream(byte[] bytes) : MemoryStream(bytes)
    {
        public long BytesRead { get; private set; }

        public override bool CanSeek => false;

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            var read = await base.ReadAsync(buffer, cancellationToken);
            BytesRead += read;
            return read;
        }
    }

    /// <summary>One byte every 2 s, for ever.</summary>
    sealed class TrickleStream : Stream
    {
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            await Task.Delay(TimeSpan.FromSeconds(2), cancellationToken);
            buffer.Span[0] = (byte)'{';
            return 1;
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
