using System.ComponentModel.DataAnnotations;

namespace Orchestrator.ServiceDefaults;

public sealed class BusOptions
{
    public const string Section = "Bus";

    /// <summary>
    /// <c>InMemory</c> (the default: the embedded mode, everything in one process) or <c>RabbitMq</c> (the Api and
    /// any number of Workers as separate processes).
    /// </summary>
    [EnumDataType(typeof(BusTransport))]
    public BusTransport Transport { get; set; } = BusTransport.InMemory;

    /// <summary>
    /// MassTransit's usage report to its authors when the bus starts: off unless an operator turns it on (the
    /// service does not phone home, and offline the report only fails into the log).
    /// </summary>
    public bool UsageTelemetry { get; set; }

    /// <summary>
    /// Whether a <c>TaskSubmitted</c>'s <c>ownerId</c> is recorded as it is. Off by default: a bus task is owned by
    /// <c>bus:&lt;ownerId&gt;</c>, a namespace no token's subject can be in, so whoever can publish cannot put tasks into a
    /// user's list or spend that user's limits. Turn it on only when every publisher is trusted to act for any user.
    /// </summary>
    public bool TrustOwnerId { get; set; }
}

public enum BusTransport
{
    InMemory,
    RabbitMq,
}

public sealed class RabbitMqOptions
{
    public const string Section = "RabbitMq";

    [Required]
    public string Host { get; set; } = "localhost";

    [Range(1, 65535)]
    public ushort Port { get; set; } = 5672;

    public string VirtualHost { get; set; } = "/";

    [Required]
    public string Username { get; set; } = "guest";

    [Required]
    public string Password { get; set; } = "guest";

    /// <summary>
    /// AMQP over TLS (AMQPS; the broker's TLS port is usually 5671, set <see cref="Port"/> to it). The broker's
    /// certificate must be valid for <see cref="SslServerName"/> and trusted by the host's certificate store.
    /// </summary>
    public bool UseSsl { get; set; }

    /// <summary>The name the broker's certificate is checked against; <see cref="Host"/> when unset.</summary>
    public string? SslServerName { get; set; }
}
