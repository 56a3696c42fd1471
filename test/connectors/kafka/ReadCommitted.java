// The reference read_committed consumer for the Kafka tests: Apache Kafka's own Java client
// (kafka-clients from the broker's jars), run as a single-file program by test/connectors/kafka/
// java-reader.ts. Prints every committed value of a topic, one per line, from the earliest offset,
// until `expected` values arrived and then nothing new came for `idleMs`, or `timeoutMs` passed.
// Usage: java -cp '<lib>/*' ReadCommitted.java <bootstrap> <topic> <expected> <idleMs> <timeoutMs>
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;

public class ReadCommitted {
  public static void main(String[] args) {
    Properties p = new Properties();
    p.put("bootstrap.servers", args[0]);
    p.put("isolation.level", "read_committed");
    p.put("enable.auto.commit", "false");
    p.put("key.deserializer", StringDeserializer.class.getName());
    p.put("value.deserializer", StringDeserializer.class.getName());
    long expected = Long.parseLong(args[2]);
    long idleMs = Long.parseLong(args[3]);
    long timeoutMs = Long.parseLong(args[4]);
    try (KafkaConsumer<String, String> c = new KafkaConsumer<>(p)) {
      long deadline = System.currentTimeMillis() + timeoutMs; // counted once the JVM is up
      List<TopicPartition> parts = c.partitionsFor(args[1]).stream().map((PartitionInfo i) -> new TopicPartition(i.topic(), i.partition())).toList();
      c.assign(parts);
      c.seekToBeginning(parts);
      long count = 0;
      long lastAt = System.currentTimeMillis();
      while (System.currentTimeMillis() < deadline && !(count >= expected && System.currentTimeMillis() - lastAt >= idleMs)) {
        for (ConsumerRecord<String, String> r : c.poll(Duration.ofMillis(100))) {
          System.out.println(r.value());
          count++;
          lastAt = System.currentTimeMillis();
        }
      }
    }
  }
}
