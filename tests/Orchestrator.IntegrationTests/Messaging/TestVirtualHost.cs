using System.Net.Http.Headers;
using System.Text;
using RabbitMQ.Client;

namespace Orchestrator.IntegrationTests.Messaging;

/// <summary>
/// A RabbitMQ virtual host of its own for one test class, on the broker the test command starts (guest on
/// localhost), deleted afterwards; and exact queue depths read with a passive declare.
/// </summary>
public sealed class TestVirtualHost : IAsyncDisposable
{
    public const string Host = "localhost";

    static readonly HttpClient Management = new()
    {
        BaseAddress = new Uri("http://localhost:15672/api/"),
        DefaultRequestHeaders = { Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String("guest:guest"u8.ToArray())) },
    };

    TestVirtualHost(string name) => Name = name;

    public string Name { get; }

    /// <summary>
    /// A new virtual host; <paramref name="traced"/> turns on RabbitMQ's firehose, so that <see cref="TapAsync"/>
    /// can see every message published in it.
    /// </summary>
    public static async Task<TestVirtualHost> CreateAsync(bool traced = false)
    {
        var name = $"orchestrator-test-{Guid.NewGuid():N}";
        (await Management.PutAsJsonAsync($"vhosts/{name}", new { tracing = traced })).EnsureSuccessStatusCode();
        (await Management.PutAsJsonAsync($"permissions/{name}/guest", new { configure = ".*", write = ".*", read = ".*" })).EnsureSuccessStatusCode();
        return new TestVirtualHost(name);
    }

    /// <summary>Messages ready in <paramref name="queue"/>; 0 while the queue does not exist yet.</summary>
    public async Task<uint> MessageCountAsync(string queue)
    {
        await using var connection = await new ConnectionFactory { HostName = Host, VirtualHost = Name }.CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync();
        try
        {
            return (await channel.QueueDeclarePassiveAsync(queue)).MessageCount;
        }
        catch (RabbitMQ.Client.Exceptions.OperationInterruptedException e) when (e.ShutdownReason?.ReplyCode == 404)
        {
            return 0;
        }
    }

    /// <summary>Takes one message off <paramref name="queue"/>: its body and headers (text values as strings).</summary>
    public async Task<(string Body, IReadOnlyDictionary<string, string?> Headers)?> TakeAsync(string queue)
    {
        await using var connection = await new ConnectionFactory { HostName = Host, VirtualHost = Name }.CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync();
        var message = await channel.BasicGetAsync(queue, autoAck: true);
        if (message is null)
            return null;
        var headers = (message.BasicProperties.Headers ?? new Dictionary<string, object?>())
            .ToDictionary(h => h.Key, h => h.Value is byte[] bytes ? Encoding.UTF8.GetString(bytes) : h.Value?.ToString());
        return (Encoding.UTF8.GetString(message.Body.Span), headers);
    }

    /// <summary>A queue that receives a copy of every message published in this (traced) virtual host, from now on.</summary>
    public async Task TapAsync(string queue)
    {
        await using var connection = await new ConnectionFactory { HostName = Host, VirtualHost = Name }.CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync();
        await channel.QueueDeclareAsync(queue, durable: false, exclusive: false, autoDelete: false);
        await channel.QueueBindAsync(queue, "amq.rabbitmq.trace", "publish.#");
    }

    /// <summary>Empties <paramref name="queue"/>; returns every message as (routing key, body).</summary>
    public async Task<List<(string RoutingKey, string Body)>> DrainAsync(string queue)
    {
        await using var connection = await new ConnectionFactory { HostName = Host, VirtualHost = Name }.CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync();
        var messages = new List<(string, string)>();
        while (await channel.BasicGetAsync(queue, autoAck: true) is { } message)
            messages.Add((message.RoutingKey, Encoding.UTF8.GetString(message.Body.Span)));
        return messages;
    }

    public async ValueTask DisposeAsync() => await Management.DeleteAsync($"vhosts/{Name}");
}
