using System.ComponentModel.DataAnnotations;

namespace Orchestrator.Worker.Hosting.AllHosts;

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
}
