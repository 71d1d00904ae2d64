using System.Net.Sockets;

namespace Orchestrator.IntegrationTests.Networking;

/// <summary>
/// A port in front of a shared service (RabbitMQ, PostgreSQL) that a test can close and open: closed, it refuses
/// connections (nothing listens) and cuts the open ones, as the service's outage would look to the one process
/// behind it, without stopping the service every other test uses.
/// </summary>
public sealed class TcpProxy : IAsyncDisposable
{
    readonly int _target;
    readonly List<(TcpClient Client, TcpClient Upstream)> _pairs = [];
    TcpListener? _listener;
    CancellationTokenSource? _accepting;

    TcpProxy(int port, int target)
    {
        Port = port;
        _target = target;
    }

    public int Port { get; }

    /// <summary>When set, every new connection is cut that long after it was made: a service going away mid-handshake.</summary>
    public TimeSpan? CutAfter { get; set; }

    /// <summary>A proxy to <paramref name="targetPort"/> on loopback, open or closed.</summary>
    public static TcpProxy Start(int targetPort, bool open)
    {
        var proxy = new TcpProxy(LoopbackPort.Free(), targetPort);
        if (open)
            proxy.Open();
        return proxy;
    }

    public void Open()
    {
        if (_listener is not null)
            return;
        _listener = new TcpListener(IPAddress.Loopback, Port);
        _listener.Server.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        _listener.Start();
        _accepting = new CancellationTokenSource();
        _ = AcceptAsync(_listener, _accepting.Token);
    }

    /// <summary>Refuses new connections and cuts every open one.</summary>
    public void Close()
    {
        _accepting?.Cancel();
        _listener?.Stop();
        _listener = null;
        lock (_pairs)
        {
            foreach (var (client, upstream) in _pairs)
            {
                client.Close();
                upstream.Close();
            }

            _pairs.Clear();
        }
    }

    public ValueTask DisposeAsync()
    {
        Close();
        return ValueTask.CompletedTask;
    }

    async Task AcceptAsync(TcpListener listener, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await listener.AcceptTcpClientAsync(cancellationToken);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            _ = ForwardAsync(client, cancellationToken);
        }
    }

    async Task ForwardAsync(TcpClient client, CancellationToken cancellationToken)
    {
        var upstream = new TcpClient();
        try
        {
            await upstream.ConnectAsync(IPAddress.Loopback, _target, cancellationToken);
            lock (_pairs)
                _pairs.Add((client, upstream));
            using var cut = CutAfter is { } after ? new CancellationTokenSource(after) : null;
            using var cutting = cut?.Token.Register(() =>
            {
                client.Close();
                upstream.Close();
            });
            await Task.WhenAny(
                client.GetStream().CopyToAsync(upstream.GetStream(), cancellationToken),
                upstream.GetStream().CopyToAsync(client.GetStream(), cancellationToken));
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
        }
        finally
        {
            client.Close();
            upstream.Close();
            lock (_pairs)
                _pairs.Remove((client, upstream));
        }
    }
}
