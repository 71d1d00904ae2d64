namespace Orchestrator.ServiceDefaults;

/// <summary>
/// Hears every <typeparamref name="T"/> on this host's own temporary endpoint (non-durable, auto-deleted, named for
/// the instance), so that every host of a kind hears each one, not one of them.
/// </summary>
public abstract class BroadcastListener<T>(IBus bus, string name) : IHostedService
    where T : class
{
    protected abstract void Handle(T message);

    public Task StartAsync(CancellationToken cancellationToken)
    {
        // Not awaited: a broker that is down must not stop the host.
        bus.ConnectReceiveEndpoint(new TemporaryEndpointDefinition(name), KebabCaseEndpointNameFormatter.Instance,
            endpoint => endpoint.Handler<T>(context =>
            {
                Handle(context.Message);
                return Task.CompletedTask;
            }));
        return Task.CompletedTask;
    }

    /// <summary>
    /// Nothing: the bus stops the endpoint with its others. Stopping it here as well raced the bus's own stop
    /// (MassTransit's <c>ReceiveEndpoint.Stop</c> is not safe to run twice at once: a NullReferenceException).
    /// </summary>
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
