using System.ComponentModel.DataAnnotations;

namespace Orchestrator.Worker.Hosting;

public sealed class BusOptions
{
    public const string Section = "Bus";

    /// <summary>
    /// <c>RabbitMq</c> (the default: Api and Workers as separate processes) or <c>InMemory</c> (everything in one
    /// process: the Api's own settings choose it, for the embedded mode).
    /// </summary>
    [EnumDataType(typeof(BusTransport))]
    public BusTransport Transport { get; set; } = BusTransport.RabbitMq;
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
